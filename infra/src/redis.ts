import { tmpdir } from 'node:os';
import { Redis } from 'ioredis';
import { aptInstall } from './apt.js';
import { onPath, run, tail } from './exec.js';
import { locateServer, type ServerSource } from './locate-server.js';
import { infraLog } from './log.js';
import { portAnswers, waitFor } from './net.js';

/** A Redis server for one test run. Keys of the run start with `keyPrefix`; `release` deletes them. */
export interface ProvidedRedis {
  url: string;
  keyPrefix: string;
  source: ServerSource;
  serverVersion: string;
  release(): Promise<void>;
}

const LOCAL_URL = 'redis://127.0.0.1:6379';

async function serverVersion(url: string): Promise<string> {
  const redis = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    connectTimeout: 3000,
    retryStrategy: () => null,
  });
  let lastError: Error | undefined;
  redis.on('error', (err: Error) => {
    lastError = err;
  });
  try {
    await redis.connect();
    const info = await redis.info('server');
    return /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown';
  } catch (err) {
    throw lastError ?? err;
  } finally {
    redis.disconnect();
  }
}

async function deleteKeys(url: string, keyPrefix: string): Promise<void> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${keyPrefix}*`, 'COUNT', 500);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

async function use(
  url: string,
  runId: string,
  source: ProvidedRedis['source'],
  onRelease: () => Promise<void> = async () => {},
): Promise<ProvidedRedis> {
  const version = await serverVersion(url);
  const keyPrefix = `tm-test:${runId}:`;
  return {
    url,
    keyPrefix,
    source,
    serverVersion: version,
    release: async () => {
      await deleteKeys(url, keyPrefix);
      await onRelease();
    },
  };
}

async function startLocalRedis(): Promise<string | undefined> {
  if (!(await onPath('redis-server'))) {
    const error = await aptInstall(['redis-server']);
    if (error) return error;
  }
  infraLog('starting redis-server on 127.0.0.1:6379');
  const result = await run('redis-server', [
    '--daemonize',
    'yes',
    '--bind',
    '127.0.0.1',
    '--port',
    '6379',
    '--save',
    '',
    '--appendonly',
    'no',
    '--dir',
    tmpdir(),
  ]);
  if (result.code !== 0) return `redis-server failed: ${tail(result.stderr || result.stdout, 3)}`;
  if (!(await waitFor(() => portAnswers('127.0.0.1', 6379), 15_000)))
    return 'started, but nothing answers on 6379';
  return undefined;
}

/** A Redis server located or started by {@link locateRedis}. */
export interface RedisServer {
  url: string;
  source: ProvidedRedis['source'];
  stop: () => Promise<void>;
}

/**
 * Finds a Redis server, in this order: `REDIS_URL`; a server answering on 127.0.0.1:6379; Debian's redis-server
 * started (and installed) here; Testcontainers when a container runtime answers. With `containersFirst` (the
 * tests, as DESIGN.md §5 says), Testcontainers comes right after `REDIS_URL`.
 * Throws a {@link TestServiceUnavailableError} naming every attempt when none works.
 */
export async function locateRedis(options: { containersFirst?: boolean } = {}): Promise<RedisServer> {
  return await locateServer({
    service: 'Redis',
    envVar: 'REDIS_URL',
    probe: serverVersion,
    local: { host: '127.0.0.1', port: 6379, url: LOCAL_URL },
    startLocal: {
      what: 'start local redis-server (apt-get install redis-server if missing)',
      started: 'started redis-server',
      start: async () => {
        const error = await startLocalRedis();
        return error ? { error } : { url: LOCAL_URL };
      },
    },
    container: async () => {
      const { RedisContainer } = await import('@testcontainers/redis');
      const container = await new RedisContainer('redis:7.4.2').start();
      return {
        url: container.getConnectionUrl(),
        stop: async () => {
          await container.stop();
        },
      };
    },
    ...options,
  });
}

/** Locates a server with {@link locateRedis} and gives this run its own key prefix on it. */
export async function provideRedis(runId: string): Promise<ProvidedRedis> {
  const server = await locateRedis({ containersFirst: true });
  return await use(server.url, runId, server.source, server.stop);
}
