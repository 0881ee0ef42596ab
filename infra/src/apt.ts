import { onPath, run, tail } from './exec.js';
import { infraLog } from './log.js';

/**
 * Installs Debian packages when the machine lacks them. Returns a description of the failure, or undefined on success.
 * Runs `apt-get update` once when the first install attempt fails (a fresh image often has no package lists).
 */
export async function aptInstall(packages: readonly string[]): Promise<string | undefined> {
  if (!(await onPath('apt-get'))) return 'apt-get not available';
  if (process.getuid?.() !== 0) return 'not root, cannot apt-get install';
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = ['install', '-y', '-q', '--no-install-recommends', ...packages];
  infraLog(`apt-get install ${packages.join(' ')}`);
  let result = await run('apt-get', install, { env, timeoutMs: 10 * 60_000 });
  if (result.code !== 0) {
    await run('apt-get', ['update', '-q'], { env, timeoutMs: 10 * 60_000 });
    result = await run('apt-get', install, { env, timeoutMs: 10 * 60_000 });
  }
  return result.code === 0 ? undefined : `apt-get install failed: ${tail(result.stderr || result.stdout, 3)}`;
}
