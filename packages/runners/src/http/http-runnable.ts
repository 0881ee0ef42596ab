import type { Runnable } from '@tm/pipeline-core';
import type { DependencyProbe } from '../runtime/dependency-probe.js';
import { serviceRunnable } from '../runtime/service-runnable.js';
import type { ApiServer } from './api-server.js';

/** An API server as a `Runnable`, and where it listens once started. */
export interface HttpRunnable extends Runnable {
  /** `http://host:port` once started. */
  readonly url: string | undefined;
}

/**
 * Runs `app` as a {@link Runnable}: listens on start (port 0 picks a free one), closes on stop (in-flight requests
 * finish, new ones get 503), and is ready while every dependency of `probe` answers; the probe runs while the
 * server does.
 */
export function httpRunnable(
  name: string,
  app: ApiServer,
  listen: { host: string; port: number },
  probe: DependencyProbe,
): HttpRunnable {
  let url: string | undefined;
  const runnable = serviceRunnable(name, {
    start: async () => {
      await probe.start();
      url = await app.listen({ host: listen.host, port: listen.port });
    },
    stop: async () => {
      await app.close();
      await probe.stop();
    },
    ready: () => probe.ready(),
    reason: () => probe.reason(),
  });
  return Object.defineProperty(runnable, 'url', { get: () => url, enumerable: true }) as HttpRunnable;
}
