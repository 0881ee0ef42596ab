import {
  createWriteStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PipelineConfig, Rejection } from '@tm/contracts';
import { testServices, uniqueName } from '@tm/infra';
import { kafkaTransport } from '@tm/pipeline-core';
import { eventually, readTopic } from '@tm/pipeline-core/testing';
import { expect } from 'chai';
import kafkajs from 'kafkajs';
import knex, { type Knex } from 'knex';
import { generateCsvRows, writeGeneratedCsv } from '../intake/generator/generate-csv.js';
import { contractSerdes } from '../runtime/serdes.js';
import { PipelineProcesses, writePipelineConfig } from './pipeline-processes.js';

/**
 * The data path as in production: `tm run simulators`, `tm run campaign`, `tm run analyser` and `tm run intake`
 * as four processes on the real broker and database. Files are dropped into both stream folders the way a partner
 * would (written under a temporary name, then renamed); every generated application must end in exactly one place —
 * an error-file row, or, per campaign, a task or a rejection.
 */
describe('end to end: intake → analyser → campaign engine as separate processes', function () {
  // Above the sum of the waits inside (four starts, decisions, tasks, dispatch), so a slow run fails with their
  // messages rather than mocha's.
  this.timeout(600_000);
  const files = [
    { stream: 'MOBILE_LOANS', name: 'ml_01.csv', rows: 700, seed: 101, bad: false },
    { stream: 'MOBILE_LOANS', name: 'ml_02.csv', rows: 500, seed: 102, bad: true },
    { stream: 'POS_REJECT', name: 'pr_01.csv', rows: 800, seed: 103, bad: false },
  ];
  let workDir: string;
  let processes: PipelineProcesses | undefined;
  let db: Knex;

  before(() => {
    workDir = mkdtempSync(join(tmpdir(), 'tm-e2e-'));
  });

  after(async () => {
    await processes?.stop();
    await db?.destroy();
    rmSync(workDir, { recursive: true, force: true });
  });

  it('ends every generated application as exactly one task, rejection or error-file row', async () => {
    const services = testServices();
    const suffix = uniqueName('e2e');
    const { file, config } = await writePipelineConfig({
      workDir,
      brokers: services.kafkaBrokers,
      databaseUrl: services.databaseUrl,
      suffix,
    });
    processes = new PipelineProcesses(file, workDir, suffix);
    await processes.start('simulators');
    await processes.start('campaign');
    await processes.start('analyser');
    await processes.start('intake');

    // Drop the files the partner way: write under a temporary name, then rename into place.
    const folderOf = (stream: string) =>
      (config.events.dataStreams.find((s) => s.name === stream) as { folder: string }).folder;
    for (const f of files) {
      mkdirSync(folderOf(f.stream), { recursive: true });
      const tmp = join(folderOf(f.stream), `${f.name}.part`);
      await writeGeneratedCsv(
        { rows: f.rows, seed: f.seed, invalidRate: f.bad ? 0.02 : 0 },
        createWriteStream(tmp),
      );
      renameSync(tmp, join(folderOf(f.stream), f.name));
    }

    const good = files.filter((f) => !f.bad);
    const published = good.reduce((n, f) => n + f.rows, 0);
    const transport = kafkaTransport({ brokers: services.kafkaBrokers, logLevel: kafkajs.logLevel.ERROR });
    db = knex({ client: 'pg', connection: services.databaseUrl, pool: { min: 0, max: 2 } });
    try {
      // Committed offsets cannot be compared with row counts: transaction markers take offsets too. Count the
      // analyser's decisions instead: one per published application and campaign.
      const decisions = await decisionsOf(transport, config, published, workDir);
      const candidates = decisions.candidates;
      await eventually(
        async () => (await taskIds(db)).length === candidates,
        `${candidates} tasks stored`,
        60_000,
      );
      await eventually(
        async () =>
          (
            await db.raw<{ rows: { n: number }[] }>(
              `SELECT count(*)::int AS n FROM TM$CAMPAIGN_TASKS WHERE TASK_STATE = 'NEW'`,
            )
          ).rows[0]?.n === 0,
        'every task dispatched',
        60_000,
      );

      // Files: good ones in success/, the bad one in error/ with its report.
      for (const f of files) {
        const folder = join(folderOf(f.stream), f.bad ? 'error' : 'success');
        expect(existsSync(join(folder, f.name)), `${f.name} in ${folder}`).to.equal(true);
        expect(
          readdirSync(folderOf(f.stream)).filter((n) => n.endsWith('.csv')),
          'nothing left behind',
        ).to.deep.equal([]);
      }
      const bad = files.find((f) => f.bad) as (typeof files)[number];
      const report = readFileSync(join(folderOf(bad.stream), 'error', `${bad.name}.errors.txt`), 'utf8');
      expect(report.trim().split('\n').length).to.equal(Math.round(bad.rows * 0.02));

      // Per campaign, every published application is exactly one task or one rejection; bad-file rows are neither.
      const tasks = await taskIds(db);
      expect(new Set(tasks).size, 'no candidate stored twice').to.equal(tasks.length);
      const rejected = decisions.rejections.map((r) => `${r.applicationNumber}:${r.campaignId}`);
      expect(new Set(rejected).size, 'no application rejected twice in a campaign').to.equal(rejected.length);
      const ended = new Set([...tasks, ...rejected]);
      expect(ended.size, 'no application both a task and a rejection').to.equal(
        tasks.length + rejected.length,
      );
      const campaigns = config.eventsAnalyser.campaigns.map((c) => c.campaignId);
      const expected = new Set<string>();
      for (const f of good) {
        for (const row of generateCsvRows({ rows: f.rows, seed: f.seed }))
          for (const c of campaigns) expected.add(`${row[0]}:${c}`);
      }
      expect([...ended].sort()).to.deep.equal([...expected].sort());
      const badNumbers = new Set(
        [...generateCsvRows({ rows: bad.rows, seed: bad.seed, invalidRate: 0.02 })].map((r) => r[0]),
      );
      expect([...ended].filter((id) => badNumbers.has(id.split(':')[0] as string))).to.deep.equal([]);

      // Every dispatched task reached the dialer's topic.
      const inProgress =
        (
          await db.raw<{ rows: { n: number }[] }>(
            `SELECT count(*)::int AS n FROM TM$CAMPAIGN_TASKS WHERE TASK_STATE = 'IN_PROGRESS'`,
          )
        ).rows[0]?.n ?? 0;
      const dial = await readTopic(transport, config.topics.dialTasks, inProgress, { settleMs: 500 });
      const adds = dial
        .map((r) => contractSerdes().dialTask.decode(r.value as Buffer))
        .filter((d) => 'action' in d && d.action === 'ADD');
      expect(adds.length).to.equal(inProgress);
    } finally {
      await transport.close();
    }

    const codes = await processes.stop();
    processes = undefined;
    expect(codes, 'every runner exits 0 on SIGTERM').to.deep.equal({
      intake: 0,
      analyser: 0,
      campaign: 0,
      simulators: 0,
    });
  });
});

async function taskIds(db: Knex): Promise<string[]> {
  const { rows } = await db.raw<{ rows: { id: string }[] }>(
    'SELECT CANDIDATE_ID AS id FROM TM$CAMPAIGN_TASKS',
  );
  return rows.map((r) => r.id);
}

/**
 * The analyser's decisions, read back with one read_committed consumer over both topics until exactly
 * `published × campaigns` arrived, then a little longer to catch any extra.
 */
async function decisionsOf(
  transport: ReturnType<typeof kafkaTransport>,
  config: PipelineConfig,
  published: number,
  logDir: string,
): Promise<{ candidates: number; rejections: Rejection[] }> {
  const expected = published * config.eventsAnalyser.campaigns.length;
  const serde = contractSerdes().rejection;
  let candidates = 0;
  const rejections: Rejection[] = [];
  const consumer = transport.createConsumer({
    groupId: `e2e-reader-${Date.now()}`,
    topics: [config.topics.candidates, config.topics.rejections],
    fromBeginning: true,
    readCommitted: true,
  });
  await consumer.start({
    onBatch: (batch) => {
      if (batch.topic === config.topics.candidates) candidates += batch.records.length;
      else for (const r of batch.records) rejections.push(serde.decode(r.value as Buffer) as Rejection);
    },
    onAssignment: () => {},
    onCrash: () => {},
  });
  try {
    await eventually(
      () => candidates + rejections.length >= expected,
      `${expected} decisions of the analyser (logs in ${logDir})`,
      180_000,
    );
    await new Promise((r) => setTimeout(r, 1500));
  } finally {
    await consumer.stop();
  }
  return { candidates, rejections };
}
