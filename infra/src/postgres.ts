import { existsSync, readdirSync } from 'node:fs';
import pg from 'pg';
import { aptInstall } from './apt.js';
import { reason, TestServiceUnavailableError } from './attempts.js';
import { onPath, run, tail } from './exec.js';
import { locateServer, type ServerSource } from './locate-server.js';
import { infraLog } from './log.js';
import { portAnswers, waitFor } from './net.js';

/** A PostgreSQL database created for one test run, dropped by `release`. */
export interface ProvidedPostgres {
  /** Connection URL of the run's own database. */
  url: string;
  database: string;
  /** How the server was obtained. */
  source: ServerSource;
  serverVersion: string;
  release(): Promise<void>;
}

const LOCAL_HOST = '127.0.0.1';
const LOCAL_PORT = 5432;
const LOCAL_ADMIN_URL = `postgres://${process.env.PGUSER ?? 'postgres'}@${LOCAL_HOST}:${LOCAL_PORT}/postgres`;
/** Password set on the postgres role when this setup installs PostgreSQL itself (Debian's default is peer auth). */
const INSTALLED_ADMIN_URL = `postgres://postgres:tm-test@${LOCAL_HOST}:${LOCAL_PORT}/postgres`;

async function serverVersion(adminUrl: string): Promise<string> {
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    const { rows } = await client.query<{ server_version: string }>('SHOW server_version');
    return rows[0]?.server_version ?? 'unknown';
  } finally {
    await client.end();
  }
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/** Creates the run's database on the server at adminUrl; returns the provided handle. */
async function createRunDatabase(
  adminUrl: string,
  runId: string,
  source: ProvidedPostgres['source'],
  onRelease: () => Promise<void> = async () => {},
): Promise<ProvidedPostgres> {
  const version = await serverVersion(adminUrl);
  const database = `tm_test_${runId}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${database}"`);
  } finally {
    await admin.end();
  }
  return {
    url: withDatabase(adminUrl, database),
    database,
    source,
    serverVersion: version,
    release: async () => {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
      } finally {
        await client.end();
      }
      await onRelease();
    },
  };
}

function debianClusters(): string[] {
  const base = '/etc/postgresql';
  if (!existsSync(base)) return [];
  return readdirSync(base).flatMap((version) =>
    existsSync(`${base}/${version}`)
      ? readdirSync(`${base}/${version}`).map((name) => `${version} ${name}`)
      : [],
  );
}

/** Starts Debian's PostgreSQL clusters, installing the package first when missing. Returns a failure or undefined. */
async function startLocalPostgres(): Promise<{ error?: string; installed: boolean }> {
  let installed = false;
  if (!(await onPath('pg_ctlcluster')) || debianClusters().length === 0) {
    const error = await aptInstall(['postgresql']);
    if (error) return { error, installed };
    installed = true;
  }
  for (const cluster of debianClusters()) {
    const [version, name] = cluster.split(' ') as [string, string];
    infraLog(`starting PostgreSQL cluster ${version}/${name}`);
    const result = await run('pg_ctlcluster', ['--skip-systemctl-redirect', version, name, 'start'], {
      timeoutMs: 60_000,
    });
    if (result.code !== 0 && !/already running/i.test(result.stderr + result.stdout)) {
      return {
        error: `pg_ctlcluster ${version} ${name} start failed: ${tail(result.stderr || result.stdout, 3)}`,
        installed,
      };
    }
  }
  if (!(await waitFor(() => portAnswers(LOCAL_HOST, LOCAL_PORT), 30_000))) {
    return { error: `started, but nothing answers on ${LOCAL_HOST}:${LOCAL_PORT}`, installed };
  }
  if (installed) {
    // Debian's fresh cluster only lets the postgres OS user in; give the role a password for TCP logins.
    const result = await run('runuser', [
      '-u',
      'postgres',
      '--',
      'psql',
      '-c',
      "ALTER ROLE postgres PASSWORD 'tm-test'",
    ]);
    if (result.code !== 0)
      return { error: `could not set the postgres password: ${tail(result.stderr, 3)}`, installed };
  }
  return { installed };
}

/** A PostgreSQL server located or started by {@link locatePostgres}. */
export interface PostgresServer {
  adminUrl: string;
  source: ProvidedPostgres['source'];
  /** Stops what this process started (a container); a no-op for servers that were already there. */
  stop: () => Promise<void>;
}

/**
 * Finds a PostgreSQL server, in this order: `DATABASE_URL`; a server answering on 127.0.0.1:5432; Debian's
 * PostgreSQL started (and installed) here; Testcontainers when a container runtime answers. With `containersFirst`
 * (the tests, as DESIGN.md §5 says), Testcontainers comes right after `DATABASE_URL`.
 * Throws a {@link TestServiceUnavailableError} naming every attempt when none works.
 */
export async function locatePostgres(options: { containersFirst?: boolean } = {}): Promise<PostgresServer> {
  const { url, source, stop } = await locateServer({
    service: 'PostgreSQL',
    envVar: 'DATABASE_URL',
    probe: serverVersion,
    local: { host: LOCAL_HOST, port: LOCAL_PORT, url: LOCAL_ADMIN_URL },
    startLocal: {
      what: 'start local PostgreSQL (pg_ctlcluster, apt-get install postgresql)',
      started: 'started local PostgreSQL',
      start: async () => {
        const started = await startLocalPostgres();
        if (started.error) return { error: started.error };
        return { url: started.installed ? INSTALLED_ADMIN_URL : LOCAL_ADMIN_URL };
      },
    },
    container: async () => {
      const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
      const container = await new PostgreSqlContainer('postgres:16.4').start();
      return {
        url: container.getConnectionUri(),
        stop: async () => {
          await container.stop();
        },
      };
    },
    ...options,
  });
  return { adminUrl: url, source, stop };
}

/** Locates a server with {@link locatePostgres} and creates this run's own database on it. */
export async function providePostgres(runId: string): Promise<ProvidedPostgres> {
  const server = await locatePostgres({ containersFirst: true });
  try {
    return await createRunDatabase(server.adminUrl, runId, server.source, server.stop);
  } catch (err) {
    await server.stop();
    throw new TestServiceUnavailableError('PostgreSQL', [
      `create database tm_test_${runId} at ${server.adminUrl}: ${reason(err)}`,
    ]);
  }
}
