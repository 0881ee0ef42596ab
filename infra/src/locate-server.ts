import { Attempts, reason } from './attempts.js';
import { fromTestcontainer } from './docker.js';
import { portAnswers } from './net.js';

/** How a server was obtained. */
export type ServerSource = 'env' | 'local' | 'started' | 'testcontainers';

/** A server found by {@link locateServer}. */
export interface LocatedServer {
  url: string;
  source: ServerSource;
  /** Stops what this process started (a container); a no-op for servers that were already there. */
  stop: () => Promise<void>;
}

/** Where {@link locateServer} looks for one service, and how it checks what it finds. */
export interface ServerSearch {
  service: 'PostgreSQL' | 'Redis';
  /** The environment variable holding an explicit URL (DATABASE_URL, REDIS_URL). */
  envVar: string;
  /** Resolves when the server at the URL answers as this service; throws, saying why, when it does not. */
  probe: (url: string) => Promise<unknown>;
  /** The usual local server: its address and the URL to reach it by. */
  local: { host: string; port: number; url: string };
  /** Starts a local server (installing it first when missing). */
  startLocal: {
    /** How an attempt to start is named in a failure, e.g. "start local redis-server (apt-get …)". */
    what: string;
    /** How a started server is named in a failure, e.g. "started redis-server". */
    started: string;
    /** Resolves to the URL of the started server, or to the reason it could not start. */
    start: () => Promise<{ url: string } | { error: string }>;
  };
  /** Starts a Testcontainers container of the service. */
  container: () => Promise<{ url: string; stop: () => Promise<void> }>;
  /** Try Testcontainers right after the environment variable (the tests, as DESIGN.md §5 says). */
  containersFirst?: boolean;
}

/**
 * Finds a server, in this order: the URL in `envVar`; a server answering on the local address; a local server
 * started (and installed) here; Testcontainers when a container runtime answers. With `containersFirst`,
 * Testcontainers comes right after the environment variable. Throws a `TestServiceUnavailableError` naming every
 * attempt when none works.
 */
export async function locateServer(search: ServerSearch): Promise<LocatedServer> {
  const attempts = new Attempts(search.service);
  const noop = async () => {};
  const usable = async (url: string, what: string): Promise<boolean> => {
    try {
      await search.probe(url);
      return true;
    } catch (err) {
      attempts.tried(what, reason(err));
      return false;
    }
  };

  const fromEnv = process.env[search.envVar]?.trim();
  if (fromEnv) {
    if (await usable(fromEnv, `${search.envVar}=${fromEnv}`))
      return { url: fromEnv, source: 'env', stop: noop };
    return attempts.fail(); // an explicit choice that does not work is not silently replaced
  }
  attempts.tried(search.envVar, 'unset');

  const fromContainer = () =>
    fromTestcontainer(search.service, attempts, async (): Promise<LocatedServer> => {
      const container = await search.container();
      return { ...container, source: 'testcontainers' };
    });
  if (search.containersFirst) {
    const server = await fromContainer();
    if (server) return server;
  }

  const { host, port, url: localUrl } = search.local;
  if (await portAnswers(host, port)) {
    if (await usable(localUrl, localUrl)) return { url: localUrl, source: 'local', stop: noop };
  } else {
    attempts.tried(`${host}:${port}`, 'nothing answers');
    const started = await search.startLocal.start();
    if ('error' in started) {
      attempts.tried(search.startLocal.what, started.error);
    } else if (await usable(started.url, `${search.startLocal.started}, ${started.url}`)) {
      return { url: started.url, source: 'started', stop: noop };
    }
  }

  if (!search.containersFirst) {
    const server = await fromContainer();
    if (server) return server;
  }
  return attempts.fail();
}
