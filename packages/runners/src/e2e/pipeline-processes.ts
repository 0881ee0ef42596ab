import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { defaultConfigPath, loadPipelineConfig, type PipelineConfig } from '@tm/contracts';
import { eventually } from '@tm/pipeline-core/testing';
import { parseDocument } from 'yaml';
import { connectCampaignDb } from '../campaign/db/connect.js';

/** The runners of the data path, each a `tm run <stage>` process of its own. */
export type PipelineProcessName =
  | 'simulators'
  | 'intake'
  | 'analyser'
  | 'campaign'
  | 'security'
  | 'arm'
  | 'dialer'
  | 'kpi';

export interface PipelineProcessesOptions {
  /** Holds the config file, the CSV stream folders and the processes' logs. */
  workDir: string;
  brokers: readonly string[];
  databaseUrl: string;
  /** Suffix that makes topics, consumer groups and transactional ids unique on a shared broker. */
  suffix: string;
  /** Simulator answer time, fixed + jitter ms (default 1 + 1). */
  simulatorLatencyMs?: { fixed: number; jitter: number };
  /** Prefix of the security service's and the ARM's Redis keys (default: the config's plus the suffix). */
  redisKeyPrefix?: string;
}

const repoRoot = join(import.meta.dirname, '..', '..', '..', '..');
const sourceCli = join(repoRoot, 'packages', 'runners', 'src', 'cli.ts');
const builtCli = join(repoRoot, 'packages', 'runners', 'dist', 'cli.js');

/**
 * How the runners are started: `source` through tsx from the TypeScript sources (ADR 0004, no build step), `build`
 * from the compiled `dist/` of `pnpm build`, as a production image runs them.
 */
export type RunnerRuntime = 'source' | 'build';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/**
 * Writes a pipeline config for a run of separate processes: config/pipeline.yaml with the CSV folders under
 * `workDir`, every topic, group and transactional id suffixed, the given broker and database, simulators on free
 * ports, calling hours the whole day (00:00–24:00) and a short dispatch interval. Returns the file and its parsed form.
 */
export async function writePipelineConfig(
  options: PipelineProcessesOptions,
): Promise<{ file: string; config: PipelineConfig }> {
  const doc = parseDocument(readFileSync(defaultConfigPath({}), 'utf8'));
  const s = options.suffix;
  doc.setIn(['csv-events-base-folder'], join(options.workDir, 'csv'));
  doc.setIn(['events', 'stable-after-ms'], 300);
  doc.setIn(['events', 'poll-interval-ms'], 200);
  doc.setIn(['events', 'ledger-topic'], `tml-intake-ledger-${s}`);
  const streams = doc.getIn(['events', 'data-streams']) as { items: unknown[] };
  for (let i = 0; i < streams.items.length; i++)
    doc.setIn(['events', 'data-streams', i, 'topic'], `tml-incoming-events-${s}`);
  const defaults = loadPipelineConfig(defaultConfigPath({}), {}).topics;
  for (const [key, name] of Object.entries(defaults)) {
    if (typeof name !== 'string' || key === 'dlqSuffix') continue;
    doc.setIn(['topics', key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)], `${name}-${s}`);
  }
  doc.setIn(['campaign-engine', 'consumer-group'], `tm-campaign-engine-${s}`);
  doc.setIn(['campaign-engine', 'dispatch', 'interval-ms'], 500);
  doc.setIn(['campaign-engine', 'defaults', 'calling-hours'], { from: '00:00', to: '24:00' }); // the whole day
  doc.deleteIn(['campaign-engine', 'campaigns']);
  doc.setIn(['simulators', 'blacklist', 'file'], join(repoRoot, 'config', 'examples', 'blacklist.yaml'));
  const latency = options.simulatorLatencyMs ?? { fixed: 1, jitter: 1 };
  for (const service of ['blacklist', 'casper', 'abram']) {
    const port = await freePort();
    doc.setIn(['simulators', service, 'port'], port);
    doc.setIn(['simulators', service, 'latency'], { 'fixed-ms': latency.fixed, 'jitter-ms': latency.jitter });
    doc.setIn(['services', service, 'url'], `http://127.0.0.1:${port}`);
  }
  // The telephony simulator on a free port too; the dialer finds it there unless $TM_TELEPHONY_URL says otherwise.
  doc.setIn(['simulators', 'telephony', 'port'], await freePort());
  doc.setIn(['dialer', 'consumer-group'], `tm-dialer-${s}`);
  const [securityPort, armPort] = [await freePort(), await freePort()];
  doc.setIn(['security', 'port'], securityPort);
  doc.setIn(['arm', 'port'], armPort);
  doc.setIn(['arm', 'security-url'], `http://127.0.0.1:${securityPort}`);
  doc.setIn(['arm', 'consumer-group'], `tm-arm-${s}`);
  doc.setIn(['kpi', 'application-id'], `tm-kpi-${s}`);
  doc.setIn(['kpi', 'http', 'port'], await freePort());
  const prefix = options.redisKeyPrefix ?? `tm:${s}:`;
  doc.setIn(['security', 'redis-key-prefix'], `${prefix}security:`);
  doc.setIn(['arm', 'redis-key-prefix'], `${prefix}arm:`);
  doc.setIn(['infra', 'kafka', 'brokers'], options.brokers.join(','));
  doc.setIn(['infra', 'kafka', 'client-id'], `tm-${s}`);
  doc.setIn(['infra', 'kafka', 'session-timeout-ms'], 6000);
  doc.setIn(['infra', 'database', 'url'], options.databaseUrl);
  const file = join(options.workDir, 'pipeline.yaml');
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, doc.toString());
  return { file, config: loadPipelineConfig(file, {}) };
}

/** Sets keys of a written pipeline config file (paths as the YAML spells them, e.g. `['dialer', 'poll-interval-ms']`). */
export function patchPipelineConfig(
  file: string,
  overrides: readonly (readonly [readonly string[], unknown])[],
): void {
  const doc = parseDocument(readFileSync(file, 'utf8'));
  for (const [path, value] of overrides) doc.setIn(path, value);
  writeFileSync(file, doc.toString());
}

/**
 * Creates the PostgreSQL schema `schema` and returns `databaseUrl` with its connections' search_path set to it, so
 * a run's processes and its test see only that run's rows.
 */
export async function privateSchemaUrl(databaseUrl: string, schema: string): Promise<string> {
  const admin = connectCampaignDb(databaseUrl, { poolMax: 1 });
  try {
    await admin.raw(`CREATE SCHEMA ${schema}`);
  } finally {
    await admin.destroy();
  }
  const url = new URL(databaseUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return url.toString();
}

interface Running {
  child: ChildProcess;
  gone: boolean;
  exited: Promise<number | null>;
  opsPort: number;
  log: string;
}

/**
 * The runners as separate processes on one config (`tm run simulators | intake | analyser | campaign | security | arm`), for the
 * end-to-end test and benchmark. Each logs to `<workDir>/<name>.log`; a runner counts as started once its
 * `/readyz` answers 200 (the simulators once they print their seed).
 */
export class PipelineProcesses {
  readonly #running = new Map<PipelineProcessName, Running>();

  constructor(
    readonly configFile: string,
    readonly workDir: string,
    /** Suffix of the run, also given to the analyser as its consumer group `tml-events-analyser-<suffix>`. */
    readonly suffix: string,
    readonly runtime: RunnerRuntime = 'source',
  ) {
    if (runtime === 'build' && !existsSync(builtCli))
      throw new Error(`${builtCli} is missing: run \`pnpm build\` first`);
  }

  /** The analyser's consumer group in this run. */
  get analyserGroup(): string {
    return `tml-events-analyser-${this.suffix}`;
  }

  /**
   * Starts `tm run <name>` with extra environment variables and Node flags (such as `--cpu-prof`); rejects when it
   * exits first or is not ready within `readyTimeoutMs` (default 60 s).
   */
  async start(
    name: PipelineProcessName,
    options: { env?: Record<string, string>; nodeArgs?: readonly string[]; readyTimeoutMs?: number } = {},
  ): Promise<void> {
    const env = options.env ?? {};
    const opsPort = await freePort();
    const log = join(this.workDir, `${name}.log`);
    const out = createWriteStream(log, { flags: 'a' });
    const entry =
      this.runtime === 'build' ? [builtCli] : ['--conditions=tm-source', '--import', 'tsx', sourceCli];
    const args = [...(options.nodeArgs ?? []), ...entry, 'run', name, '--config', this.configFile];
    if (name === 'analyser') args.push('--group', this.analyserGroup);
    const child = spawn(process.execPath, args, {
      cwd: repoRoot,
      env: { ...process.env, LOG_LEVEL: 'warn', TM_OPS_PORT: String(opsPort), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // Only the simulators' first lines matter (they print their seed once listening); nothing else is kept.
    let printed = '';
    child.stdout?.on('data', (d: Buffer) => {
      if (name === 'simulators' && printed.length < 4096) printed += d.toString();
      out.write(d);
    });
    child.stderr?.on('data', (d: Buffer) => out.write(d));
    child.once('close', () => out.end()); // after the last output, unlike 'exit'
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const running: Running = { child, gone: false, exited, opsPort, log };
    this.#running.set(name, running);
    void exited.then(() => {
      running.gone = true;
    });
    await eventually(
      async () => {
        if (running.gone)
          throw new Error(`tm run ${name} exited before it was ready; see ${log}:\n${this.logTail(name)}`);
        if (name === 'simulators') return printed.includes('seed');
        try {
          return (await fetch(`http://127.0.0.1:${opsPort}/readyz`)).status === 200;
        } catch {
          return false;
        }
      },
      `tm run ${name} to be ready`,
      options.readyTimeoutMs ?? 60_000,
    );
  }

  /** Whether the process was started and has not exited. */
  isRunning(name: PipelineProcessName): boolean {
    const running = this.#running.get(name);
    return running !== undefined && !running.gone;
  }

  /** `http://127.0.0.1:<port>` of a running process's /healthz, /readyz and /metrics. */
  opsUrl(name: PipelineProcessName): string | undefined {
    const running = this.#running.get(name);
    return running ? `http://127.0.0.1:${running.opsPort}` : undefined;
  }

  pid(name: PipelineProcessName): number | undefined {
    return this.#running.get(name)?.child.pid;
  }

  /** Peak resident memory of a running process so far, in KiB (VmHWM), or undefined when not running. */
  peakRssKiB(name: PipelineProcessName): number | undefined {
    const pid = this.pid(name);
    if (pid === undefined) return undefined;
    try {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      return Number(/VmHWM:\s+(\d+)/.exec(status)?.[1]);
    } catch {
      return undefined;
    }
  }

  logTail(name: PipelineProcessName, lines = 30): string {
    const running = this.#running.get(name);
    if (!running) return '';
    try {
      return readFileSync(running.log, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '';
    }
  }

  /** Kills a process with SIGKILL (a crash: no graceful stop) and waits until it is gone. */
  async kill(name: PipelineProcessName): Promise<void> {
    const running = this.#running.get(name);
    if (!running) return;
    running.child.kill('SIGKILL');
    await running.exited;
    this.#running.delete(name);
  }

  /** Whether a running process's /readyz answers 200 now. */
  async ready(name: PipelineProcessName): Promise<boolean> {
    const url = this.isRunning(name) ? this.opsUrl(name) : undefined;
    if (!url) return false;
    try {
      return (await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2_000) })).status === 200;
    } catch {
      return false;
    }
  }

  /** SIGTERM to every process (runners first, simulators last); resolves with each exit code. */
  async stop(): Promise<Record<string, number | null>> {
    const codes: Record<string, number | null> = {};
    const order: PipelineProcessName[] = [
      'arm',
      'security',
      'dialer',
      'kpi',
      'intake',
      'analyser',
      'campaign',
      'simulators',
    ];
    for (const name of order) {
      const running = this.#running.get(name);
      if (!running) continue;
      running.child.kill('SIGTERM');
      const timer = setTimeout(() => running.child.kill('SIGKILL'), 30_000);
      codes[name] = await running.exited;
      clearTimeout(timer);
      this.#running.delete(name);
    }
    return codes;
  }
}
