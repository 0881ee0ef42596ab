import { onceUntilFailed, type Runnable } from '@tm/pipeline-core';
import type { DependencyProbe } from '../runtime/dependency-probe.js';
import type { ApiServer } from './api-server.js';
import { type HttpRunnable, httpRunnable } from './http-runnable.js';

/**
 * The lifecycle of a runner that serves an API (the ARM, the security service): `tm run <stage>` hands its
 * runnables to `runRunner`; the demo and the tests call {@link start} and {@link stop} themselves.
 */
export interface ServedApi {
  /** The runnables once prepared (the HTTP server among them), for `runRunner`; none before. */
  readonly runnables: readonly Runnable[];
  /** `http://host:port` once started. */
  readonly url: string | undefined;
  /** The Fastify instance (after {@link prepare}), for `inject()` in tests. */
  readonly app: ApiServer;
  /** Builds what the API needs (migrations, topics, routes). Idempotent; tried afresh after a failure. */
  prepare(): Promise<void>;
  /** {@link prepare}, then starts every runnable. */
  start(): Promise<void>;
  /** Stops every runnable (a failing one does not keep the others running), then `afterStop`. */
  stop(): Promise<void>;
}

/** What {@link servedApi} builds a lifecycle from. */
export interface ServedApiParts {
  /** Prepares the runner and builds its API; called until it succeeds once. */
  prepare: () => Promise<ApiServer>;
  /** Where the API listens (port 0 picks a free one). */
  listen: { host: string; port: number };
  /** The dependencies the API is ready with (`/readyz`). */
  probe: DependencyProbe;
  /** Every runnable of the runner, given its server. */
  runnables: (server: HttpRunnable) => Runnable[];
  /** Closes what is not a runnable (a producer), after the runnables stopped. */
  afterStop?: () => Promise<void>;
}

/** One {@link ServedApi} over `parts`, its HTTP server runnable named `<name>.http`. */
export function servedApi(name: string, parts: ServedApiParts): ServedApi {
  let built: { app: ApiServer; server: HttpRunnable } | undefined;
  const prepare = onceUntilFailed(async (): Promise<void> => {
    const app = await parts.prepare();
    built = { app, server: httpRunnable(`${name}.http`, app, parts.listen, parts.probe) };
  });
  const runnables = (): Runnable[] => (built ? parts.runnables(built.server) : []);
  return {
    get runnables() {
      return runnables();
    },
    get url() {
      return built?.server.url;
    },
    get app() {
      if (!built) throw new Error(`${name}: app before prepare()`);
      return built.app;
    },
    prepare,
    async start() {
      await prepare();
      for (const r of runnables()) await r.start();
    },
    async stop() {
      await Promise.allSettled(runnables().map((r) => r.stop()));
      await parts.afterStop?.();
    },
  };
}
