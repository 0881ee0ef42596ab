import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Application, formatCsvError } from '@tm/contracts';
import { testServices, uniqueName } from '@tm/infra';
import { kafkaTransport, StageMetrics, type Transport } from '@tm/pipeline-core';
import { readTopic } from '@tm/pipeline-core/testing';
import { expect } from 'chai';
import { logLevel } from 'kafkajs';
import { createLogger } from '../runtime/index.js';
import { contractSerdes } from '../runtime/serdes.js';
import { expectedCsvErrors } from './generator/index.js';
import { createIntake } from './intake.js';
import {
  type IntakeFolders,
  intakeConfig,
  intakeFolders,
  namesIn,
  writeCsv,
} from './testing/intake-fixtures.js';

describe('intake on Kafka', function () {
  this.timeout(120_000);
  let folders: IntakeFolders;
  let transport: Transport;

  beforeEach(async () => {
    folders = await intakeFolders();
    transport = kafkaTransport({ brokers: testServices().kafkaBrokers, logLevel: logLevel.NOTHING });
  });
  afterEach(async () => {
    await transport.close();
    await folders.cleanup();
  });

  it('publishes the rows of several files of MOBILE_LOANS and POS_REJECT once; the bad file lands in error/ unpublished', async () => {
    const topic = uniqueName('intake-events');
    const config = intakeConfig(folders, {
      topic,
      ledgerTopic: uniqueName('intake-ledger'),
      transport: 'kafka',
      brokers: testServices().kafkaBrokers,
      clientId: uniqueName('intake'),
      rowsPerTransaction: 700, // several transactions per file
    });
    const { mobileLoans: ml, posReject: pos } = folders;
    await writeCsv(join(ml, 'ml-1.csv'), { rows: 1500, seed: 101 }, 1000);
    await writeCsv(join(ml, 'ml-2.csv'), { rows: 400, seed: 102 }, 2000);
    await writeCsv(join(pos, 'pos-1.csv'), { rows: 900, seed: 103 }, 1000);
    const bad = { rows: 500, seed: 104, invalidRate: 0.01 };
    await writeCsv(join(pos, 'pos-bad.csv'), bad, 2000);

    const metrics = new StageMetrics();
    const intake = createIntake({
      config,
      transport,
      logger: createLogger('intake-int', { level: 'warn' }),
      metrics,
    });
    let outcomes: Awaited<ReturnType<typeof intake.importPending>>;
    try {
      outcomes = await intake.importPending();
    } finally {
      await intake.stop();
    }
    expect(outcomes.map((o) => `${o.file}:${o.outcome}:${o.published}`)).to.deep.equal([
      'ml-1.csv:accepted:1500',
      'ml-2.csv:accepted:400',
      'pos-1.csv:accepted:900',
      'pos-bad.csv:rejected:0',
    ]);

    const total = 1500 + 400 + 900;
    const records = await readTopic(transport, topic, total, { settleMs: 1500, timeoutMs: 60_000 });
    expect(records, 'records seen by a read_committed consumer').to.have.length(total);
    const serde = contractSerdes().application;
    const seen = new Map<string, Set<number>>();
    const keys = new Set<string>();
    for (const r of records) {
      const app = (await serde.decode(r.value as Buffer)) as Application;
      expect(String(r.key)).to.equal(app.applicationNumber);
      keys.add(app.applicationNumber);
      expect(app.dataStream, app.sourceFile).to.equal(
        app.sourceFile.startsWith('pos') ? 'POS_REJECT' : 'MOBILE_LOANS',
      );
      const lines = seen.get(app.sourceFile) ?? new Set<number>();
      lines.add(app.lineNumber);
      seen.set(app.sourceFile, lines);
    }
    expect(keys.size).to.equal(total);
    expect(
      Object.fromEntries(
        [...seen].map(([file, lines]) => [file, [lines.size, Math.min(...lines), Math.max(...lines)]]),
      ),
    ).to.deep.equal({
      'ml-1.csv': [1500, 1, 1500],
      'ml-2.csv': [400, 1, 400],
      'pos-1.csv': [900, 1, 900],
    });

    expect(await namesIn(join(ml, 'success'))).to.deep.equal(['ml-1.csv', 'ml-2.csv']);
    expect(await namesIn(join(pos, 'success'))).to.deep.equal(['pos-1.csv']);
    expect(await namesIn(join(pos, 'error'))).to.deep.equal(['pos-bad.csv', 'pos-bad.csv.errors.txt']);
    expect(await readFile(join(pos, 'error', 'pos-bad.csv.errors.txt'), 'utf8')).to.equal(
      [...expectedCsvErrors(bad)].map((e) => `${formatCsvError(e)}\n`).join(''),
    );
    expect(await namesIn(ml), 'nothing left in the stream folder').to.deep.equal(['success']);
  });
});
