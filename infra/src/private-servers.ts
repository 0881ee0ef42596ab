/**
 * Servers of a fault test's own: a PostgreSQL cluster and a Redis server in a temp dir on free ports, which the test
 * can kill and start again in place without disturbing the machine's shared services (or other test runs). The
 * binaries are the machine's (Debian's postgresql and redis-server packages, which the test setup installs).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import {
  chmodSync,
  closeSync,
  existsSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { run, tail } from './exec.js';
import { stopProcess } from './kafka-broker.js';
import { freePort, portAnswers, waitFor } from './net.js';

/** A server a fault test can crash and bring back on the same data and port. */
export interface RestartableServer {
  /** Connection URL (PostgreSQL: of the `postgres` database, user postgres, no password). */
  readonly url: string;
  readonly port: number;
  /** Kills the server at once (SIGKILL, as a crash); resolves once it is gone. */
  kill(): Promise<void>;
  /** Starts it again after {@link kill}, on the same data directory and port; resolves once it answers. */
  resume(): Promise<void>;
  /** Stops it and removes its data. */
  stop(): Promise<void>;
}

const isRoot = () => process.getuid?.() === 0;

function postgresBin(): string {
  const base = '/usr/lib/postgresql';
  const versions = existsSync(base) ? readdirSync(base).sort((a, b) => Number(b) - Number(a)) : [];
  for (const v of versions) {
    const dir = join(base, v, 'bin');
    if (existsSync(join(dir, 'initdb'))) return dir;
  }
  throw new Error('no PostgreSQL server binaries under /usr/lib/postgresql (apt-get install postgresql)');
}

/** Runs a PostgreSQL binary as the postgres OS user when this process is root (initdb refuses root). */
function asPostgres(bin: string, args: string[]): { command: string; args: string[] } {
  return isRoot()
    ? { command: 'runuser', args: ['-u', 'postgres', '--', bin, ...args] }
    : { command: bin, args };
}

/** A PostgreSQL cluster of a test's own: initdb in a temp dir, trust auth on 127.0.0.1 and a free port. */
export async function startPrivatePostgres(): Promise<RestartableServer> {
  const bin = postgresBin();
  const dir = mkdtempSync(join(tmpdir(), 'tm-pg-'));
  chmodSync(dir, 0o777);
  const dataDir = join(dir, 'data');
  const port = await freePort();
  const init = asPostgres(join(bin, 'initdb'), [
    '-D',
    dataDir,
    '-U',
    'postgres',
    '--auth=trust',
    '-E',
    'UTF8',
  ]);
  const result = await run(init.command, init.args, { timeoutMs: 120_000 });
  if (result.code !== 0) throw new Error(`initdb failed: ${tail(result.stdout + result.stderr)}`);
  let child: ChildProcess | undefined;
  const launch = async () => {
    const log = openSync(join(dir, 'postgres.log'), 'a');
    const cmd = asPostgres(join(bin, 'postgres'), [
      '-D',
      dataDir,
      '-p',
      String(port),
      '-h',
      '127.0.0.1',
      '-k',
      dir,
      '-c',
      'fsync=off',
      '-c',
      'max_connections=200',
    ]);
    child = spawn(cmd.command, cmd.args, { stdio: ['ignore', log, log] });
    closeSync(log);
    // The port answers while a cluster killed before is still in crash recovery ("the database system is not yet
    // accepting connections"): wait for a query to succeed.
    if (!(await waitFor(() => acceptsQueries(port), 60_000))) {
      throw new Error(`private PostgreSQL did not accept connections on port ${port}`);
    }
  };
  // runuser forks the server: killing runuser alone would leave postgres running, so kill the whole cluster by pid.
  const kill = async () => {
    const pidFile = join(dataDir, 'postmaster.pid');
    const pid = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8').split('\n')[0]) : undefined;
    if (pid) await stopProcess(pid, 0);
    if (child?.pid) await stopProcess(child.pid, 0, child);
    await waitFor(async () => !(await portAnswers('127.0.0.1', port)), 10_000);
  };
  return restartable(`postgres://postgres@127.0.0.1:${port}/postgres`, port, dir, launch, kill);
}

async function acceptsQueries(port: number): Promise<boolean> {
  if (!(await portAnswers('127.0.0.1', port))) return false;
  const client = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

/** A Redis server of a test's own on a free port (no persistence, as the machine's: a restart empties it). */
export async function startPrivateRedis(): Promise<RestartableServer> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'tm-redis-'));
  let child: ChildProcess | undefined;
  const launch = async () => {
    child = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
      { stdio: 'ignore' },
    );
    if (!(await waitFor(() => portAnswers('127.0.0.1', port), 30_000))) {
      throw new Error(`private Redis did not answer on port ${port}`);
    }
  };
  const kill = async () => {
    if (child?.pid) await stopProcess(child.pid, 0, child);
  };
  return restartable(`redis://127.0.0.1:${port}`, port, dir, launch, kill);
}

/** Launches a server and wraps it as a {@link RestartableServer} whose `stop` also removes its directory. */
async function restartable(
  url: string,
  port: number,
  dir: string,
  launch: () => Promise<void>,
  kill: () => Promise<void>,
): Promise<RestartableServer> {
  await launch();
  return {
    url,
    port,
    kill,
    resume: launch,
    stop: async () => {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
