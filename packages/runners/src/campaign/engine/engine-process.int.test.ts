/**
 * `tm run campaign` as processes of their own on real Kafka and PostgreSQL: two replicas on one database and one
 * set of topics, and a runner killed with SIGKILL during ingest and during dispatch, then restarted.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Candidate } from '@tm/contracts';
import { testServices, uniqueName } from '@tm/infra';
import { kafkaTransport, type Transport } from '@tm/pipeline-core';
import { committedTotal, eventually, produce } from '@tm/pipeline-core/testing';
import { expect } from 'chai';
import type { Knex } from 'knex';
import { repoRoot } from '../../intake/testing/run-tm.js';
import { connectCampaignDb } from '../db/connect.js';
import { findInvariantViolations } from '../db/invariants.js';
import { candidate } from '../db/test-support.js';
import {
  collectTopics,
  dialTasksOf,
  type EngineNames,
  encode,
  engineNames,
  moscowTime,
  namesOverrides,
  writeEngineConfig,
} from './test-support.js';

const DISPATCH_BATCH = 250;

/** A `tm run campaign` process. */
interface Runner {
  child: ChildProcess;
  /** Resolves once its three stages consume. */
  running: Promise<void>;
  exited: Promise<number | null>;
  /** Tasks this process reported claiming. */
  claimed(): number;
}

function startRunner(configFile: string): Runner {
  const child = spawn(
    process.execPath,
    [
      '--conditions=tm-source',
      '--import',
      'tsx',
      join(repoRoot, 'packages/runners/src/cli.ts'),
      'run',
      'campaign',
      '--config',
      configFile,
    ],
    { cwd: repoRoot, env: { ...process.env, LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let started = 0;
  let claimed = 0;
  let pending = '';
  const running = new Promise<void>((resolve, reject) => {
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      const lines = (pending + chunk).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        if (line.includes('"msg":"stage started"')) started += 1;
        const round = /"claimed":(\d+).*"msg":"dispatched"/.exec(line);
        if (round) claimed += Number(round[1]);
        if (line.includes('"level":50')) process.stderr.write(`runner: ${line}\n`);
      }
      if (started >= 3) resolve();
    });
    child.once('exit', (code) => reject(new Error(`runner exited with ${code} before running`)));
  });
  running.catch(() => {});
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, running, exited, claimed: () => claimed };
}

async function kill(runner: Runner): Promise<void> {
  runner.child.kill('SIGKILL');
  await runner.exited;
}

async function stop(runner: Runner): Promise<number | null> {
  runner.child.kill('SIGTERM');
  return runner.exited;
}

/** `count` candidates; the last tenth are newer candidates of earlier clients, so ingest also cancels and replaces. */
function candidates(count: number): Candidate[] {
  const clients = Math.round(count * 0.9);
  return Array.from({ length: count }, (_, i) => {
    const client = i < clients ? i : (i - clients) * 9;
    return candidate(`${100_000 + i}`, `7900${String(client).padStart(7, '0')}`);
  });
}

describe('tm run campaign processes on Kafka and PostgreSQL', function () {
  this.timeout(180_000);
  let names: EngineNames;
  let schema: string;
  let db: Knex;
  let transport: Transport;
  let dir: string;
  let configFile: string;
  const runners: Runner[] = [];

  beforeEach(async () => {
    const { databaseUrl, kafkaBrokers } = testServices();
    names = engineNames(uniqueName);
    schema = `cep_${randomBytes(4).toString('hex')}`;
    const admin = connectCampaignDb(databaseUrl, { poolMax: 1 });
    await admin.raw(`CREATE SCHEMA ${schema}`);
    await admin.destroy();
    db = connectCampaignDb(databaseUrl, { poolMax: 2, searchPath: [schema] });
    const url = new URL(databaseUrl);
    url.searchParams.set('options', `-c search_path=${schema}`);
    const now = new Date();
    dir = mkdtempSync(join(tmpdir(), 'tm-campaign-'));
    configFile = writeEngineConfig(dir, [
      ...namesOverrides(names),
      [['infra', 'kafka', 'brokers'], kafkaBrokers.join(',')],
      [['infra', 'kafka', 'session-timeout-ms'], 6000],
      [['infra', 'database', 'url'], url.toString()],
      [['campaign-engine', 'campaigns'], []],
      // Open now and for hours: these processes run on the real clock.
      [
        ['campaign-engine', 'defaults', 'calling-hours'],
        { from: moscowTime(now, -60), to: moscowTime(now, 180) },
      ],
      [['campaign-engine', 'dispatch'], { 'interval-ms': 100, 'batch-size': DISPATCH_BATCH }],
      [['campaign-engine', 'ingest'], { 'batch-size': 250, 'linger-ms': 20, concurrency: 2 }],
    ]);
    transport = kafkaTransport({ brokers: kafkaBrokers });
  });

  afterEach(async () => {
    for (const r of runners.splice(0))
      if (r.child.exitCode === null && r.child.signalCode === null) await kill(r);
    await transport.close();
    await db.raw(`DROP SCHEMA ${schema} CASCADE`);
    await db.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  const start = () => {
    const runner = startRunner(configFile);
    runners.push(runner);
    return runner;
  };
  const count = async (sql: string): Promise<number> =>
    Number((await db.raw<{ rows: { n: string }[] }>(sql)).rows[0]?.n ?? 0);
  const taskCount = () => count('SELECT count(*) AS n FROM TM$CAMPAIGN_TASKS');
  const dispatchedCount = () => count(`SELECT count(*) AS n FROM TM$DIAL_TASK_OUTBOX WHERE ACTION = 'ADD'`);

  async function sendCandidates(list: readonly Candidate[]): Promise<void> {
    for (let i = 0; i < list.length; i += 500)
      await produce(
        transport,
        list.slice(i, i + 500).map((c) => encode.candidate(names.candidates, c)),
      );
  }

  /** Every candidate consumed and committed, nothing due left NEW, the outbox published. */
  async function settled(total: number): Promise<void> {
    await eventually(
      async () =>
        (await committedTotal(transport, `${names.group}.candidates`, names.candidates)) === total &&
        (await count(`SELECT count(*) AS n FROM TM$CAMPAIGN_TASKS WHERE TASK_STATE = 'NEW'`)) === 0 &&
        (await count('SELECT count(*) AS n FROM TM$DIAL_TASK_OUTBOX WHERE PUBLISHED_AT IS NULL')) === 0,
      'every candidate stored, dispatched and published',
      90_000,
    );
  }

  /**
   * Checks the end state against what was sent, and returns how many dial tasks were produced more than once (a
   * crash between Kafka's acknowledgement and marking the outbox row republishes it, ADR 0034).
   */
  async function checkEndState(sent: readonly Candidate[]): Promise<number> {
    const ids = new Set(sent.map((c) => c.candidateId));
    const { rows } = await db.raw<{
      rows: { candidate_id: string; task_state: string; id: string; attempt: number }[];
    }>('SELECT ID, CANDIDATE_ID, TASK_STATE, ATTEMPT FROM TM$CAMPAIGN_TASKS');
    expect(rows.length, 'one task per candidate').to.equal(ids.size);
    expect(new Set(rows.map((r) => r.candidate_id))).to.deep.equal(ids);
    expect(await findInvariantViolations(db), 'invariants').to.deep.equal([]);
    const replaced = sent.length - Math.round(sent.length * 0.9);
    expect(
      rows.filter((r) => r.task_state === 'CANCELED'),
      'replaced tasks cancelled',
    ).to.have.length(replaced);
    expect(rows.filter((r) => r.task_state === 'IN_PROGRESS' && r.attempt === 1)).to.have.length(
      sent.length - replaced,
    );

    const { rows: outbox } = await db.raw<{ rows: { dial_task_id: string }[] }>(
      'SELECT DIAL_TASK_ID FROM TM$DIAL_TASK_OUTBOX',
    );
    const reader = await collectTopics(transport, [names.dialTasks], uniqueName('ce-process-reader'));
    try {
      await eventually(
        () =>
          new Set(dialTasksOf(reader.records(names.dialTasks)).map((t) => t.dialTaskId)).size >=
          outbox.length,
        `all ${outbox.length} dial tasks on the topic`,
        30_000,
      );
      await new Promise((r) => setTimeout(r, 1000));
      const onTopic = dialTasksOf(reader.records(names.dialTasks));
      const distinct = new Set(onTopic.map((t) => t.dialTaskId));
      expect(distinct, 'the dial tasks on the topic are the outbox rows').to.deep.equal(
        new Set(outbox.map((o) => o.dial_task_id)),
      );
      const addsPerTask = new Map<number, Set<string>>();
      for (const t of onTopic.filter((t) => t.action === 'ADD'))
        addsPerTask.set(t.taskId, (addsPerTask.get(t.taskId) ?? new Set()).add(t.dialTaskId));
      expect(
        [...addsPerTask.values()].filter((s) => s.size > 1),
        'tasks dispatched twice',
      ).to.deep.equal([]);
      expect(
        onTopic.every((t) => t.key === t.phone),
        'keyed by phone',
      ).to.equal(true);
      return onTopic.length - distinct.size;
    } finally {
      await reader.stop();
    }
  }

  it('two replicas on one database and one set of topics: every task is dispatched exactly once', async () => {
    const [a, b] = [start(), start()];
    await Promise.all([a?.running, b?.running]);
    const sent = candidates(3000);
    // In waves, so that both replicas ingest and dispatch while candidates arrive.
    for (let i = 0; i < sent.length; i += 300) {
      await sendCandidates(sent.slice(i, i + 300));
      await new Promise((r) => setTimeout(r, 150));
    }
    await settled(sent.length);
    expect(a?.claimed(), 'replica A dispatched').to.be.greaterThan(0);
    expect(b?.claimed(), 'replica B dispatched').to.be.greaterThan(0);
    expect(
      await Promise.all([stop(a as Runner), stop(b as Runner)]),
      'exit codes after SIGTERM',
    ).to.deep.equal([0, 0]);
    expect(await checkEndState(sent), 'dial tasks produced twice').to.equal(0);
  });

  it('killed with SIGKILL during ingest and during dispatch, then restarted: no task lost, none duplicated, none stuck', async () => {
    const sent = candidates(6000);
    // The backlog is there before the engine (which creates the rest of its topics at start).
    await transport.ensureTopics([{ topic: names.candidates, partitions: 3 }]);
    await sendCandidates(sent);

    const first = start();
    await first.running;
    await eventually(async () => (await taskCount()) >= 1000, 'ingest under way', 60_000);
    await kill(first);
    const storedAtFirstKill = await taskCount();
    expect(storedAtFirstKill, 'killed during ingest').to.be.lessThan(sent.length);

    const second = start();
    await second.running;
    const dispatchedBefore = await dispatchedCount();
    await eventually(
      async () => (await dispatchedCount()) >= dispatchedBefore + 2 * DISPATCH_BATCH,
      'dispatch under way',
      60_000,
    );
    await kill(second);
    // Dispatching had begun and not finished: fewer tasks IN_PROGRESS than there will be (one per client).
    expect(
      await count(`SELECT count(*) AS n FROM TM$CAMPAIGN_TASKS WHERE TASK_STATE = 'IN_PROGRESS'`),
      'killed during dispatch',
    ).to.be.lessThan(Math.round(sent.length * 0.9));

    const third = start();
    await third.running;
    await settled(sent.length);
    expect(await stop(third), 'exit code after SIGTERM').to.equal(0);
    const republished = await checkEndState(sent);
    expect(republished, 'dial tasks republished: at most one batch per kill').to.be.at.most(
      2 * DISPATCH_BATCH,
    );
  });
});
