import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { run, tail } from './exec.js';
import { infraLog } from './log.js';
import { repoRoot } from './paths.js';

const WEB = join(repoRoot, 'packages', 'web');

function newest(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((name) => newest(join(path, name))));
}

let built: Promise<string> | undefined;

/**
 * The built front-ends of packages/web (`dist/`), building them first (`vite build`, as `pnpm build` does) when
 * they are missing or older than their sources. Once per process; for browser tests, which `pnpm test` runs
 * without `pnpm build`.
 */
export function ensureWebBuild(): Promise<string> {
  built ??= (async () => {
    const dist = join(WEB, 'dist');
    const sources = [join(WEB, 'src'), join(WEB, 'vite.config.ts'), join(WEB, 'package.json')];
    if (existsSync(dist) && newest(dist) >= Math.max(...sources.map(newest))) return dist;
    infraLog('building packages/web (vite build)');
    const result = await run(join(WEB, 'node_modules', '.bin', 'vite'), ['build', '--logLevel', 'warn'], {
      cwd: WEB,
      timeoutMs: 5 * 60_000,
    });
    if (result.code !== 0) throw new Error(`vite build failed:\n${tail(result.stderr || result.stdout)}`);
    return dist;
  })();
  built.catch(() => {
    built = undefined;
  });
  return built;
}
