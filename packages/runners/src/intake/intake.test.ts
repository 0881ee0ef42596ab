import { createHash } from 'node:crypto';
import { appendFile, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Application, formatCsvError } from '@tm/contracts';
import {
  MemoryBroker,
  memoryTransport,
  type RawRecord,
  StageMetrics,
  type Transport,
} from '@tm/pipeline-core';
import { eventually, readTopic } from '@tm/pipeline-core/testing';
import { expect } from 'chai';
import { createLogger } from '../runtime/index.js';
import { contractSerdes } from '../runtime/serdes.js';
import { incomingFile } from './folder-scan.js';
import { expectedCsvErrors } from './generator/index.js';
import { importFile } from './import-file.js';
import type { StreamContext } from './import-types.js';
import { createIntake, type Intake } from './intake.js';
import { FileLedger } from './ledger.js';
import {
  type IntakeFolders,
  intakeConfig,
  intakeFolders,
  namesIn,
  writeCsv,
} from './testing/intake-fixtures.js';

const logger = createLogger('intake-test', { level: 'silent' });
const TOPIC = 'incoming';
const LEDGER = 'ledger';

function decode(records: readonly RawRecord[]) {
  const serde = contractSerdes().application;
  return records.map((r) => ({ key: String(r.key), app: serde.decode(r.value as Buffer) as Application }));
}

describe('intake on the memory transport', () => {
  let folders: IntakeFolders;
  let broker: MemoryBroker;
  let transport: Transport;
  let intake: Intake | undefined;
  let metrics: StageMetrics;

  const make = (over: Parameters<typeof intakeConfig>[1] extends infer O ? Partial<O> : never = {}) => {
    const config = intakeConfig(folders, { topic: TOPIC, ledgerTopic: LEDGER, transport: 'memory', ...over });
    intake = createIntake({ config, transport, logger, metrics });
    return intake;
  };

  beforeEach(async () => {
    folders = await intakeFolders();
    broker = new MemoryBroker();
    transport = memoryTransport(broker);
    metrics = new StageMetrics();
  });
  afterEach(async () => {
    await intake?.stop();
    intake = undefined;
    await folders.cleanup();
  });

  it('imports every file of both streams oldest first; a bad file goes to error/ with its report, unpublished', async () => {
    const ml = folders.mobileLoans;
    const pos = folders.posReject;
    // created (and last written) in this order, which is not the order of their names
    await writeCsv(join(ml, 'b.csv'), { rows: 10, seed: 2 }, 1000);
    await writeCsv(join(ml, 'a.csv'), { rows: 20, seed: 1 }, 2000);
    await writeCsv(join(pos, 'c.csv'), { rows: 15, seed: 3 }, 1000);
    const bad = { rows: 30, seed: 4, invalidRate: 0.1 };
    await writeCsv(join(pos, 'bad.csv'), bad, 2000);
    await writeFile(join(pos, 'd.csv.part'), 'still being written');
    await writeFile(join(pos, '.e.csv'), 'a temporary name');

    const outcomes = await make().importPending();
    const summary = outcomes.map(
      (o) => `${o.stream}:${o.file}:${o.outcome}:${o.rows}:${o.published}:${o.errors}`,
    );
    expect(summary).to.deep.equal([
      'MOBILE_LOANS:b.csv:accepted:10:10:0',
      'MOBILE_LOANS:a.csv:accepted:20:20:0',
      'POS_REJECT:c.csv:accepted:15:15:0',
      'POS_REJECT:bad.csv:rejected:30:0:3',
    ]);

    const records = decode(await readTopic(transport, TOPIC, 45, { settleMs: 50 }));
    expect(records).to.have.length(45);
    const byFile = new Map<string, number[]>();
    for (const { key, app } of records) {
      expect(key).to.equal(app.applicationNumber);
      expect(app.dataStream).to.equal(app.sourceFile === 'c.csv' ? 'POS_REJECT' : 'MOBILE_LOANS');
      byFile.set(app.sourceFile, [...(byFile.get(app.sourceFile) ?? []), app.lineNumber]);
    }
    const lines = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
    expect([...byFile.keys()].sort()).to.deep.equal(['a.csv', 'b.csv', 'c.csv']);
    expect(byFile.get('a.csv')?.sort((x, y) => x - y)).to.deep.equal(lines(20));
    expect(byFile.get('c.csv')?.sort((x, y) => x - y)).to.deep.equal(lines(15));

    expect(await namesIn(join(ml, 'success'))).to.deep.equal(['a.csv', 'b.csv']);
    expect(await namesIn(join(pos, 'success'))).to.deep.equal(['c.csv']);
    expect(await namesIn(join(pos, 'error'))).to.deep.equal(['bad.csv', 'bad.csv.errors.txt']);
    const report = await readFile(join(pos, 'error', 'bad.csv.errors.txt'), 'utf8');
    expect(report).to.equal([...expectedCsvErrors(bad)].map((e) => `${formatCsvError(e)}\n`).join(''));
    expect(await namesIn(pos)).to.deep.equal(['.e.csv', 'd.csv.part', 'error', 'success']);

    const text = await metrics.registry.metrics();
    expect(text).to.include('intake_files_total{stream="MOBILE_LOANS",outcome="accepted"} 2');
    expect(text).to.include('intake_files_total{stream="POS_REJECT",outcome="rejected"} 1');
    expect(text).to.include('intake_rows_total{stream="MOBILE_LOANS",outcome="accepted"} 30');
    expect(text).to.include('intake_file_age_seconds_count{stream="POS_REJECT"} 2');
  });

  it('refuses a file with a field of hundreds of kilobytes: error/ with a line naming it, nothing sent (defect 2)', async () => {
    const ml = folders.mobileLoans;
    await writeCsv(join(ml, 'huge.csv'), { rows: 5, seed: 9 });
    const lines = (await readFile(join(ml, 'huge.csv'), 'utf8')).split('\n');
    const cells = (lines[3] as string).split(';');
    cells[cells.length - 1] = 'x'.repeat(300_000);
    lines[3] = cells.join(';');
    await writeFile(join(ml, 'huge.csv'), lines.join('\n'));
    const [outcome] = await make().importPending();
    expect(outcome).to.include({ file: 'huge.csv', outcome: 'rejected', published: 0 });
    expect(await namesIn(join(ml, 'error'))).to.deep.equal(['huge.csv', 'huge.csv.errors.txt']);
    const report = await readFile(join(ml, 'error', 'huge.csv.errors.txt'), 'utf8');
    expect(report).to.match(/^4:.*must be at most \d+ characters/m);
    expect(report).to.not.include('xxxxxxxxxx');
  });

  it('never overwrites: a later file of the same name gets NAME.N.EXT in success/ and in error/', async () => {
    const ml = folders.mobileLoans;
    const i = make();
    for (let round = 0; round < 3; round++) {
      await writeCsv(join(ml, 'same.csv'), { rows: 3, seed: 10 + round });
      await writeCsv(join(ml, 'broken.csv'), { rows: 3, seed: 20 + round, invalidRate: 1 });
      await i.importPending();
    }
    expect(await namesIn(join(ml, 'success'))).to.deep.equal(['same.1.csv', 'same.2.csv', 'same.csv']);
    expect(await namesIn(join(ml, 'error'))).to.deep.equal([
      'broken.1.csv',
      'broken.1.csv.errors.txt',
      'broken.2.csv',
      'broken.2.csv.errors.txt',
      'broken.csv',
      'broken.csv.errors.txt',
    ]);
  });

  it('resumes a file after the last line its ledger entry committed, and only moves a file the ledger says is done', async () => {
    const ml = folders.mobileLoans;
    await writeCsv(join(ml, 'partial.csv'), { rows: 20, seed: 5 });
    await writeCsv(join(ml, 'done.csv'), { rows: 8, seed: 6 });
    const hash = async (name: string) =>
      createHash('sha256')
        .update(await readFile(join(ml, name)))
        .digest('hex');
    // What an earlier run committed before it was killed: partial.csv up to line 7, done.csv entirely.
    await transport.ensureTopics([{ topic: LEDGER, partitions: 1 }]);
    const earlier = transport.createProducer({ transactionalId: 'tm-test-intake-MOBILE_LOANS' });
    await earlier.connect();
    const writer = new FileLedger(LEDGER);
    const txn = await earlier.transaction();
    const base = { stream: 'MOBILE_LOANS', at: 1 };
    await txn.send([
      writer.recordOf({
        ...base,
        file: await hash('partial.csv'),
        name: 'partial.csv',
        line: 7,
        rows: 7,
        done: false,
      }),
      writer.recordOf({
        ...base,
        file: await hash('done.csv'),
        name: 'done.csv',
        line: 8,
        rows: 8,
        done: true,
      }),
    ]);
    await txn.commit();

    const outcomes = await make().importPending();
    const partial = outcomes.find((o) => o.file === 'partial.csv');
    const done = outcomes.find((o) => o.file === 'done.csv');
    expect(partial).to.include({ outcome: 'accepted', rows: 20, published: 13, resumedAfterLine: 7 });
    expect(done).to.include({ outcome: 'accepted', rows: 8, published: 0, alreadyImported: true });
    const lines = decode(await readTopic(transport, TOPIC, 13, { settleMs: 50 })).map(
      (r) => r.app.lineNumber,
    );
    expect(lines.sort((a, b) => a - b)).to.deep.equal(Array.from({ length: 13 }, (_, i) => i + 8));
    expect(await namesIn(join(ml, 'success'))).to.deep.equal(['done.csv', 'partial.csv']);
  });

  it('publishes a file in one transaction: a bad row after thousands of sent rows aborts it, and nothing is visible', async () => {
    const ml = folders.mobileLoans;
    // 6,000 good rows (more than two sends of 2,500), then a row of 30 columns.
    await writeCsv(join(ml, 'late-error.csv'), { rows: 6000, seed: 40 }, 1000);
    await appendFile(join(ml, 'late-error.csv'), `${'x;'.repeat(29)}x\n`);
    await writeCsv(join(ml, 'after.csv'), { rows: 9, seed: 41 }, 2000);
    const outcomes = await make().importPending();
    expect(outcomes.map((o) => [o.file, o.outcome, o.mode, o.rows, o.published])).to.deep.equal([
      ['late-error.csv', 'rejected', 'single-transaction', 6001, 0],
      ['after.csv', 'accepted', 'single-transaction', 9, 9],
    ]);
    const records = decode(await readTopic(transport, TOPIC, 9, { settleMs: 100 }));
    expect(records.map((r) => r.app.sourceFile)).to.deep.equal(Array(9).fill('after.csv'));
    const report = await readFile(join(ml, 'error', 'late-error.csv.errors.txt'), 'utf8');
    expect(report).to.match(/^6001:/);
  });

  it('imports a file larger than single-transaction-max-bytes in chunks: checked first, then transactions of rows', async () => {
    const ml = folders.mobileLoans;
    await writeCsv(join(ml, 'big.csv'), { rows: 25, seed: 42 });
    await writeCsv(join(ml, 'big-bad.csv'), { rows: 25, seed: 43, invalidRate: 0.2 });
    const outcomes = await make({ singleTransactionMaxBytes: 100, rowsPerTransaction: 7 }).importPending();
    const byName = new Map(outcomes.map((o) => [o.file, o]));
    expect(byName.get('big.csv')).to.include({
      outcome: 'accepted',
      mode: 'chunked',
      rows: 25,
      published: 25,
    });
    expect(byName.get('big.csv')?.checkMs).to.be.greaterThan(0);
    expect(byName.get('big-bad.csv')).to.include({ outcome: 'rejected', mode: 'chunked', published: 0 });
    const records = decode(await readTopic(transport, TOPIC, 25, { settleMs: 100 }));
    expect(records.map((r) => r.app.lineNumber).sort((a, b) => a - b)).to.deep.equal(
      Array.from({ length: 25 }, (_, i) => i + 1),
    );
    expect(await namesIn(ml)).to.deep.equal(['error', 'success']); // no spool left behind
  });

  it('stops a file in one transaction at once when asked: its transaction aborted, the file left for the next import', async () => {
    const ml = folders.mobileLoans;
    const path = join(ml, 'stopped.csv');
    await writeCsv(path, { rows: 6000, seed: 44 });
    const config = intakeConfig(folders, { topic: TOPIC, ledgerTopic: LEDGER, transport: 'memory' });
    await transport.ensureTopics([
      { topic: TOPIC, partitions: 3 },
      { topic: LEDGER, partitions: 1 },
    ]);
    const producer = transport.createProducer({ transactionalId: 'stop-test' });
    await producer.connect();
    const ctx: StreamContext = {
      stream: config.events.dataStreams[0] as StreamContext['stream'],
      successDir: join(ml, 'success'),
      errorDir: join(ml, 'error'),
      producer,
      ledger: new FileLedger(LEDGER),
      singleTransactionMaxBytes: config.events.singleTransactionMaxBytes,
      transactionTimeoutMs: config.events.transactionTimeoutMs,
      rowsPerTransaction: 1000,
      logger,
    };
    let batches = 0;
    const file = await incomingFile(path);
    if (!file) throw new Error('no file');
    expect(await importFile(file, ctx, { shouldStop: () => ++batches > 5 })).to.equal('stopped');
    expect(await namesIn(ml)).to.deep.equal(['stopped.csv']);

    const outcome = await importFile(file, ctx);
    expect(outcome).to.include({ outcome: 'accepted', published: 6000 });
    // Exactly once: the stopped import's rows (several sends of them) were aborted, not kept.
    const records = decode(await readTopic(transport, TOPIC, 6000, { settleMs: 200 }));
    expect(records).to.have.length(6000);
    expect(new Set(records.map((r) => r.key)).size).to.equal(6000);
    await producer.disconnect();
  });

  it('does a file in chunks when one transaction would outlast half the transaction timeout (defect 3)', async () => {
    const ml = folders.mobileLoans;
    const path = join(ml, 'slow.csv');
    await writeCsv(path, { rows: 6000, seed: 45 });
    const config = intakeConfig(folders, { topic: TOPIC, ledgerTopic: LEDGER, transport: 'memory' });
    await transport.ensureTopics([
      { topic: TOPIC, partitions: 3 },
      { topic: LEDGER, partitions: 1 },
    ]);
    const producer = transport.createProducer({ transactionalId: 'slow-test' });
    await producer.connect();
    // Each look at the clock is a minute later: the one-transaction pass passes half of a 10-minute timeout at once.
    let now = Date.UTC(2026, 0, 1);
    const ctx: StreamContext = {
      stream: config.events.dataStreams[0] as StreamContext['stream'],
      successDir: join(ml, 'success'),
      errorDir: join(ml, 'error'),
      producer,
      ledger: new FileLedger(LEDGER),
      singleTransactionMaxBytes: config.events.singleTransactionMaxBytes,
      transactionTimeoutMs: 600_000,
      rowsPerTransaction: 1000,
      logger,
      clock: () => (now += 60_000),
    };
    const file = await incomingFile(path);
    if (!file) throw new Error('no file');
    const outcome = await importFile(file, ctx);
    expect(outcome).to.include({ outcome: 'accepted', mode: 'chunked', published: 6000 });
    const records = decode(await readTopic(transport, TOPIC, 6000, { settleMs: 200 }));
    expect(new Set(records.map((r) => r.key)).size).to.equal(6000);
    expect(records).to.have.length(6000);
    await producer.disconnect();
  });

  it('watches the folders: a file is imported once stable, a *.tmp file only after its rename', async () => {
    const ml = folders.mobileLoans;
    const i = make({ stableAfterMs: 100, pollIntervalMs: 20 });
    await i.start();
    expect(i.health()).to.include({ ready: true, live: true });
    await writeCsv(join(ml, 'late.csv.tmp'), { rows: 5, seed: 7 });
    await writeCsv(join(ml, 'first.csv'), { rows: 4, seed: 8 });
    await eventually(
      async () => (await namesIn(join(ml, 'success'))).includes('first.csv'),
      'first.csv imported',
    );
    expect(await namesIn(ml)).to.include('late.csv.tmp');
    await rename(join(ml, 'late.csv.tmp'), join(ml, 'late.csv'));
    await eventually(
      async () => (await namesIn(join(ml, 'success'))).includes('late.csv'),
      'late.csv imported',
    );
    const records = decode(await readTopic(transport, TOPIC, 9, { settleMs: 100 }));
    expect(records).to.have.length(9);
    await i.stop();
    expect(i.state).to.equal('stopped');
  });

  it('leaves a file in place when the broker fails, counts the failure, and imports it on a later attempt', async () => {
    const ml = folders.mobileLoans;
    await writeCsv(join(ml, 'retry.csv'), { rows: 6, seed: 30 });
    let failures = 1;
    const inner = transport;
    const flaky: Transport = {
      ...inner,
      createProducer: (options) => {
        const producer = inner.createProducer(options);
        return {
          ...producer,
          connect: () => producer.connect(),
          disconnect: () => producer.disconnect(),
          send: (records) => producer.send(records),
          transaction: async () => {
            const txn = await producer.transaction();
            return {
              ...txn,
              send: async (records) => {
                if (records.some((r) => r.topic === TOPIC) && failures-- > 0)
                  throw new Error('broker unavailable');
                await txn.send(records);
              },
            };
          },
        };
      },
    };
    transport = flaky;
    const i = make();
    expect(await i.importPending()).to.deep.equal([]);
    expect(await namesIn(ml)).to.include('retry.csv');
    expect(await metrics.registry.metrics()).to.include(
      'intake_import_failures_total{stream="MOBILE_LOANS"} 1',
    );
    const [outcome] = await i.importPending();
    expect(outcome).to.include({ file: 'retry.csv', outcome: 'accepted', published: 6 });
    expect(await readTopic(transport, TOPIC, 6, { settleMs: 50 })).to.have.length(6);
  });

  it('waits at start while its topics cannot be made ready, unready meanwhile (defect 9)', async () => {
    let refusals = 2;
    const inner = transport;
    transport = {
      ...inner,
      ensureTopics: async (topics) => {
        if (refusals-- > 0) throw new Error('This server does not host this topic-partition');
        await inner.ensureTopics(topics);
      },
    };
    const i = make();
    const started = i.start();
    await eventually(() => refusals < 2, 'a first refused attempt');
    expect(i.health()).to.include({ state: 'starting', ready: false, live: true });
    await started;
    expect(i.health()).to.include({ state: 'running', ready: true });
  });

  it("reports itself unready while a stream's imports fail, ready again once one succeeds (defect 8)", async () => {
    const ml = folders.mobileLoans;
    let failing = false;
    const inner = transport;
    transport = {
      ...inner,
      createProducer: (options) => {
        const producer = inner.createProducer(options);
        return {
          ...producer,
          connect: () => producer.connect(),
          disconnect: () => producer.disconnect(),
          send: (records) => producer.send(records),
          transaction: async () => {
            if (failing) throw new Error('Connection error: connect ECONNREFUSED');
            return producer.transaction();
          },
        };
      },
    };
    const i = make({ stableAfterMs: 50, pollIntervalMs: 20 });
    await i.start();
    expect(i.health().ready).to.equal(true);
    failing = true;
    await writeCsv(join(ml, 'unready.csv'), { rows: 3, seed: 31 });
    await eventually(
      async () =>
        (await metrics.registry.metrics()).includes('intake_import_failures_total{stream="MOBILE_LOANS"} 1'),
      'a failed import',
    );
    expect(i.health()).to.include({ state: 'running', live: true, ready: false });
    failing = false;
    await eventually(
      async () => (await namesIn(join(ml, 'success'))).includes('unready.csv'),
      'unready.csv imported on a later attempt',
      8000,
    );
    expect(i.health().ready).to.equal(true);
  });

  it('fails for good when a newer instance with the same transactional ids fenced it', async () => {
    const older = make();
    await older.importPending();
    const newer = createIntake({
      config: intakeConfig(folders, { topic: TOPIC, ledgerTopic: LEDGER, transport: 'memory' }),
      transport,
      logger,
      metrics: new StageMetrics(),
    });
    await newer.importPending(); // connecting fences the older instance
    await writeCsv(join(folders.posReject, 'late.csv'), { rows: 2, seed: 31 });
    const refused = await older.importPending().then(
      () => null,
      (e: unknown) => e,
    );
    expect((refused as Error).name).to.equal('ProducerFencedError');
    expect(older.state).to.equal('failed');
    expect(older.health()).to.include({ live: false });
    const error = await older.done.then(
      () => null,
      (e: unknown) => e,
    );
    expect((error as Error).name).to.equal('ProducerFencedError');
    const [outcome] = await newer.importPending();
    expect(outcome).to.include({ file: 'late.csv', outcome: 'accepted' });
    await newer.stop();
  });
});
