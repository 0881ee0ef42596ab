import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PipelineConfig } from '@tm/contracts';
import { JvmKafkaBroker, type RestartableServer, startPrivatePostgres, startPrivateRedis } from '@tm/infra';
import { kafkaTransport } from '@tm/pipeline-core';
import kafkajs from 'kafkajs';
import knex, { type Knex } from 'knex';
import { PipelineProcesses, writePipelineConfig } from '../e2e/pipeline-processes.js';
import { addOperator } from '../security/operators-db.js';
import { PasswordHasher } from '../security/password.js';
import { OperatorBots, weightedResults } from '../simulated-operators/operator-bots.js';
import { simulatedOperators } from '../simulated-operators/simulated-logins.js';
import type { TelephonyStats } from '../simulators/telephony-model.js';
import { TELEPHONY_API } from '../simulators/telephony-simulator.js';
import { applyChaosOverrides, waitLimitsOf } from './chaos-config.js';
import { collectFacts } from './facts.js';
import {
  allFaultKinds,
  CHAOS_RUNNERS,
  type ChaosRunner,
  type FaultKind,
  type PlannedFault,
  planFaults,
} from './faults.js';
import {
  CHAOS_INVARIANTS,
  checkInvariants,
  republishedAdds,
  type SaveFact,
  type Violation,
} from './invariants.js';
import { LoadGenerator } from './load.js';
import { type FaultRecord, type ReportRow, reportRows } from './report.js';

export interface ChaosOptions {
  readonly seed: number;
  /** How long the load runs while the faults are injected (the run takes longer: start-up, drain, checks). */
  readonly durationMs: number;
  /** How often each fault kind is injected. */
  readonly perKind: number;
  /** The fault kinds (default: every kind). */
  readonly kinds?: readonly FaultKind[];
  readonly rowsPerFile?: number;
  readonly fileIntervalMs?: number;
  readonly simulatorsDownMs?: number;
  /** Simulated operators taking the calls through the ARM (default 8). */
  readonly operators?: number;
  /** Keep the work dir (config, logs, CSV folders) for a look afterwards. */
  readonly keepWorkDir?: boolean;
  readonly log?: (line: string) => void;
}

export interface ChaosResult {
  readonly rows: ReportRow[];
  readonly violations: Violation[];
  readonly faults: FaultRecord[];
  readonly plan: PlannedFault[];
  readonly elapsedMs: number;
  /** 1-minute load average at the start and at the end of the load. */
  readonly loadAverage: { start: number; end: number };
  readonly files: number;
  readonly rowsPublished: number;
  /** ADDs sent again on the dial-tasks topic (at least once by design, ADR 0034; the dialer drops repeats). */
  readonly republishedAdds: number;
  /** The operator half: calls the telephony made, and results the simulated operators saved through the ARM. */
  readonly calls: { made: number; answeredCards: number; saved: number; reworked: number; operators: number };
  readonly workDir: string;
}

const RECOVERY_LIMIT_MS = 180_000;
/** A file dropped this long after a fault's end still counts on that fault. */
const AFTERMATH_MS = 15_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The chaos run: a broker, a PostgreSQL and a Redis of its own (restartable in place), the runners as `tm run`
 * processes, a steady CSV load on both streams, the planned faults one after another, then a drain and the
 * invariants, one report row per fault kind.
 */
export async function runChaos(options: ChaosOptions): Promise<ChaosResult> {
  const log = options.log ?? (() => {});
  const kinds = options.kinds ?? allFaultKinds();
  const plan = planFaults({
    seed: options.seed,
    durationMs: options.durationMs,
    kinds,
    perKind: options.perKind,
    simulatorsDownMs: options.simulatorsDownMs,
  });
  const workDir = mkdtempSync(join(tmpdir(), 'tm-chaos-'));
  const started = Date.now();
  let broker: JvmKafkaBroker | undefined;
  let postgres: RestartableServer | undefined;
  let redis: RestartableServer | undefined;
  let processes: PipelineProcesses | undefined;
  let db: Knex | undefined;
  let stopBots: (() => Promise<void>) | undefined;
  const transportHolder: { close?: () => Promise<void> } = {};
  try {
    log(
      `chaos: seed ${options.seed}, ${plan.length} faults over ${options.durationMs / 1000} s; work dir ${workDir}`,
    );
    [broker, postgres, redis] = await Promise.all([
      // A broker restarted at load average ~90 on 2 cores was not up within the default 90 s (2026-12-03).
      JvmKafkaBroker.start({ workDir: join(workDir, 'kafka'), readyTimeoutMs: RECOVERY_LIMIT_MS }),
      startPrivatePostgres(),
      startPrivateRedis(),
    ]);
    const suffix = `chaos-${options.seed}-${Date.now().toString(36)}`;
    const { file } = await writePipelineConfig({
      workDir,
      brokers: [broker.brokers],
      databaseUrl: postgres.url,
      suffix,
    });
    const config = applyChaosOverrides(file);
    const env = {
      DATABASE_URL: postgres.url,
      REDIS_URL: redis.url,
      // The runners log warnings and errors only (PipelineProcesses' default), unless $TM_CHAOS_LOG_LEVEL says more.
      ...(process.env.TM_CHAOS_LOG_LEVEL ? { LOG_LEVEL: process.env.TM_CHAOS_LOG_LEVEL } : {}),
    };
    processes = new PipelineProcesses(file, workDir, suffix);
    const p = processes;
    // Several runners starting at once from the TypeScript sources on a loaded 2-core machine took over a minute to
    // answer /readyz (a short run on 2026-12-03, load average 15-25: not one log line in 60 s); allow the recovery limit.
    const start = (name: ChaosRunner | 'simulators') =>
      p.start(name, { env, readyTimeoutMs: RECOVERY_LIMIT_MS });
    await start('simulators');
    await start('campaign'); // migrates the database before the others use it
    db = knex({ client: 'pg', connection: postgres.url, pool: { min: 0, max: 2 } });
    const operators = await addSimulatedOperators(db, config, options.operators ?? 8);
    await Promise.all(CHAOS_RUNNERS.filter((name) => name !== 'campaign').map(start));
    log(`chaos: ${CHAOS_RUNNERS.length} runners ready after ${((Date.now() - started) / 1000).toFixed(0)} s`);
    const saves: SaveFact[] = [];
    const bots = new OperatorBots({
      armUrl: `http://127.0.0.1:${config.arm.port}`,
      operators,
      seed: options.seed,
      results: weightedResults(config.arm.dictionaries.results.map((r) => r.key)),
      thinkMs: { min: 20, max: 300 },
      silentShare: 0.1,
      pollIntervalMs: config.arm.pollIntervalMs,
      onSave: (save) => saves.push({ communicationId: String(save.communicationId), outcome: save.outcome }),
    });
    bots.start();
    stopBots = () => bots.stop();

    const faults: FaultRecord[] = [];
    let current: { kind: FaultKind; endedAt?: number } | undefined;
    const load = new LoadGenerator({
      folders: streamFolders(config),
      seed: options.seed,
      rowsPerFile: options.rowsPerFile ?? 200,
      intervalMs: options.fileIntervalMs ?? 2_000,
      badFileEvery: 10,
      currentFault: () =>
        current && (current.endedAt === undefined || Date.now() - current.endedAt < AFTERMATH_MS)
          ? current.kind
          : undefined,
    });
    const loadStart = Date.now();
    const loadStartAvg = loadavg()[0] ?? 0;
    load.start();

    /** Runners that exited on their own: restarted, and named. */
    const restartExited = async (): Promise<string[]> => {
      const gone = CHAOS_RUNNERS.filter((r) => !p.isRunning(r));
      for (const name of gone) {
        log(`chaos: ${name} exited on its own; restarting it\n${p.logTail(name, 10)}`);
        await start(name).catch((e) => log(`chaos: restarting ${name} failed: ${(e as Error).message}`));
      }
      return gone;
    };
    /** Waits until every runner answers /readyz 200 (restarting any that exited); resolves with that moment. */
    const allReady = async (exited: string[]): Promise<number | undefined> => {
      const deadline = Date.now() + RECOVERY_LIMIT_MS;
      while (Date.now() < deadline) {
        exited.push(...(await restartExited()));
        const ready = await Promise.all(CHAOS_RUNNERS.map((r) => p.ready(r)));
        if (ready.every(Boolean)) return Date.now();
        await sleep(250);
      }
      return undefined;
    };

    const b = broker;
    const pg = postgres;
    const rd = redis;
    for (const fault of plan) {
      const wait = loadStart + fault.atMs - Date.now();
      if (wait > 0) await sleep(wait);
      current = { kind: fault.kind };
      const injectedAt = Date.now();
      const exited: string[] = [];
      log(`chaos: ${((injectedAt - loadStart) / 1000).toFixed(0)} s: ${fault.kind}`);
      let back = injectedAt; // when the fault is over: the runner killed, or the service back
      if (fault.kind.startsWith('kill-')) {
        const name = fault.kind.slice('kill-'.length) as ChaosRunner;
        await p.kill(name);
        back = Date.now();
        await start(name).catch((e) => log(`chaos: ${name} did not start again: ${(e as Error).message}`));
      } else {
        const outage: Record<string, [() => Promise<void>, () => Promise<void>]> = {
          'kafka-restart': [() => b.kill(), () => b.resume()],
          'postgres-restart': [() => pg.kill(), () => pg.resume()],
          'redis-restart': [() => rd.kill(), () => rd.resume()],
          // Unavailable, not restarted: a provider's outage keeps its queue and calls (ADR 0156).
          'simulators-down': [
            () => simulatorsUnavailable(config, fault.downMs),
            () => simulatorsUnavailable(config, 0),
          ],
        };
        const [down, up] = outage[fault.kind] as [() => Promise<void>, () => Promise<void>];
        await down();
        await sleep(fault.downMs);
        await up();
        back = Date.now();
      }
      const readyAt = await allReady(exited);
      current.endedAt = Date.now();
      const record: FaultRecord = {
        kind: fault.kind,
        injectedAtMs: injectedAt - loadStart,
        recoveryMs: readyAt === undefined ? undefined : readyAt - back,
        exited,
      };
      faults.push(record);
      log(
        `chaos:   ${fault.kind}: ${readyAt === undefined ? 'NOT recovered' : `ready ${record.recoveryMs} ms after`}` +
          (exited.length ? `; exited: ${exited.join(', ')}` : ''),
      );
    }
    const remaining = loadStart + options.durationMs - Date.now();
    if (remaining > 0) await sleep(remaining);
    await load.stop();
    const loadEndAvg = loadavg()[0] ?? 0;
    log(`chaos: load stopped after ${((Date.now() - loadStart) / 1000).toFixed(0)} s; draining`);

    const telephonyStats = () => telephonyStatsOf(config);
    await drain(db, load, telephonyStats, () => bots.idle(), log);
    stopBots = undefined;
    await bots.stop().catch((e) => log(`chaos: a simulated operator failed: ${(e as Error).message}`));
    const botStats = bots.stats();
    const telephony = await telephonyStats();
    const transport = kafkaTransport({ brokers: [broker.brokers], logLevel: kafkajs.logLevel.NOTHING });
    transportHolder.close = () => transport.close();
    const facts = await collectFacts(transport, db, config, load.files(), {
      telephony,
      saves,
      waitLimitsMs: waitLimitsOf(config),
    });
    const violations = checkInvariants(facts, CHAOS_INVARIANTS);
    // Every violation, for a look afterwards (`--keep`): the report prints the first few only.
    writeFileSync(join(workDir, 'violations.json'), JSON.stringify(violations, null, 1));
    const rows = reportRows(kinds, faults, violations, (a) => load.faultOf(a));
    return {
      rows,
      violations,
      faults,
      plan,
      elapsedMs: Date.now() - started,
      loadAverage: { start: loadStartAvg, end: loadEndAvg },
      files: facts.files.length,
      rowsPublished: facts.published.length,
      republishedAdds: republishedAdds(facts),
      calls: {
        made: telephony.callsMade,
        answeredCards: botStats.answeredCards,
        saved: Object.values(botStats.saved).reduce((a, b) => a + b, 0),
        reworked: botStats.reworked,
        operators: operators.length,
      },
      workDir,
    };
  } finally {
    await stopBots?.().catch(() => {});
    await transportHolder.close?.().catch(() => {});
    await db?.destroy().catch(() => {});
    await processes?.stop().catch(() => {});
    await Promise.all([
      broker?.stop().catch(() => {}),
      postgres?.stop().catch(() => {}),
      redis?.stop().catch(() => {}),
    ]);
    if (!options.keepWorkDir) rmSync(workDir, { recursive: true, force: true });
  }
}

function streamFolders(config: PipelineConfig): Map<string, string> {
  return new Map(
    config.events.dataStreams.map((s) => [s.name, (s as { folder: string }).folder] as [string, string]),
  );
}

/** The simulated operators, added to TM$OPERATORS as `tm operators add` does; resolves with their logins. */
async function addSimulatedOperators(
  db: Knex,
  config: PipelineConfig,
  count: number,
): Promise<{ login: string; password: string }[]> {
  const hasher = new PasswordHasher(config.security.password);
  const operators = simulatedOperators(count);
  for (const o of operators) await addOperator(db, { ...o, passwordHash: await hasher.hash(o.password) });
  return operators.map(({ login, password }) => ({ login, password }));
}

/** The four simulators answer 503 for `ms` (0: available again), through their admin routes. */
async function simulatorsUnavailable(config: PipelineConfig, ms: number): Promise<void> {
  const { blacklist, casper, abram, telephony } = config.simulators;
  await Promise.all(
    [blacklist.port, casper.port, abram.port, telephony.port].map((port) =>
      fetch(`http://127.0.0.1:${port}/__sim/unavailable`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ 'for-ms': ms }),
      }),
    ),
  );
}

async function telephonyStatsOf(config: PipelineConfig): Promise<TelephonyStats> {
  const response = await fetch(`http://127.0.0.1:${config.simulators.telephony.port}${TELEPHONY_API.stats}`);
  return (await response.json()) as TelephonyStats;
}

/**
 * Waits (up to 3 minutes) until intake moved every file, no task is NEW or IN_PROGRESS, no outbox row unpublished,
 * the telephony idle, no result window open nor DRAFT waiting for its rework, and the simulated operators idle, for
 * 5 s running; whatever is left then is the checker's to count (as stuck when past its timeouts).
 */
async function drain(
  db: Knex,
  load: LoadGenerator,
  telephony: () => Promise<TelephonyStats>,
  operatorsIdle: () => boolean,
  log: (line: string) => void,
): Promise<void> {
  const deadline = Date.now() + 180_000;
  let quietSince: number | undefined;
  while (Date.now() < deadline) {
    const files = load.files().filter((f) => !f.settled).length;
    const pending = await db
      .raw<{ rows: { n: number }[] }>(
        `SELECT (SELECT count(*) FROM TM$CAMPAIGN_TASKS WHERE TASK_STATE IN ('NEW', 'IN_PROGRESS'))
              + (SELECT count(*) FROM TM$DIAL_TASK_OUTBOX WHERE PUBLISHED_AT IS NULL)
              + (SELECT count(*) FROM TM$RESULT_WINDOWS WHERE CLOSED_AT IS NULL)
              + (SELECT count(*) FROM TM$COMMUNICATIONS WHERE STATE = 'DRAFT') AS n`,
      )
      .then((r) => Number(r.rows[0]?.n ?? 0))
      .catch(() => Number.POSITIVE_INFINITY);
    const calls = await telephony()
      .then((t) => t.queued + t.callsInProgress)
      .catch(() => Number.POSITIVE_INFINITY);
    if (files === 0 && pending === 0 && calls === 0 && operatorsIdle()) {
      quietSince ??= Date.now();
      if (Date.now() - quietSince >= 5_000) return;
    } else quietSince = undefined;
    await sleep(1_000);
  }
  log('chaos: the pipeline did not drain within 3 minutes; what is left counts as stuck');
}
