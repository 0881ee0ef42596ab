import { type Attempts, reason } from './attempts.js';

let probe: Promise<{ ok: true } | { ok: false; why: string }> | undefined;

/**
 * Whether a Docker engine answers, as Testcontainers itself finds one: its own strategies (DOCKER_HOST,
 * ~/.testcontainers.properties, the default socket, rootless Docker's socket, Docker Desktop's), so whatever
 * Testcontainers can use is used. Asked once per process (about 0.4 s when there is none). Returns the reason when
 * no engine answers. `TM_TESTCONTAINERS=off` skips Testcontainers altogether.
 */
export function dockerEngine(): Promise<{ ok: true } | { ok: false; why: string }> {
  probe ??= (async () => {
    if (process.env.TM_TESTCONTAINERS === 'off') return { ok: false, why: 'TM_TESTCONTAINERS=off' };
    try {
      const { getContainerRuntimeClient } = await import('testcontainers');
      await getContainerRuntimeClient();
      return { ok: true } as const;
    } catch (err) {
      return { ok: false, why: `Testcontainers found no container runtime: ${reason(err)}` } as const;
    }
  })();
  return probe;
}

/**
 * Starts a service in a container when a container runtime answers: `start`'s result, or undefined with the reason
 * recorded in `attempts` (no runtime, or the container failed to start).
 */
export async function fromTestcontainer<T>(
  service: string,
  attempts: Attempts,
  start: () => Promise<T>,
): Promise<T | undefined> {
  const docker = await dockerEngine();
  if (!docker.ok) {
    attempts.tried('Testcontainers', docker.why);
    return undefined;
  }
  try {
    return await start();
  } catch (err) {
    attempts.tried(`Testcontainers ${service}`, reason(err));
    return undefined;
  }
}
