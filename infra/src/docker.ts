import { existsSync } from 'node:fs';
import { reason } from './attempts.js';

/**
 * Whether a Docker engine answers, asked through Testcontainers itself. Returns the reason when it does not.
 * The cheap check (DOCKER_HOST or a local socket) runs first, so machines without Docker never load Testcontainers.
 */
export async function dockerEngine(): Promise<{ ok: true } | { ok: false; why: string }> {
  const socket = '/var/run/docker.sock';
  if (!process.env.DOCKER_HOST && !existsSync(socket)) {
    return { ok: false, why: `no Docker engine (DOCKER_HOST unset, ${socket} absent)` };
  }
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await getContainerRuntimeClient();
    return { ok: true };
  } catch (err) {
    return { ok: false, why: `Docker engine did not answer: ${reason(err)}` };
  }
}
