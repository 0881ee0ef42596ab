/**
 * The runners the way the production image runs them (./Dockerfile): compiled by `pnpm build`, started from
 * dist/ with the image's Node flags. Benchmarks of whole runner processes use this, not tsx (ADR 0066).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './results.js';

/** The compiled `tm` command line. */
export const builtCli = join(repoRoot, 'packages', 'runners', 'dist', 'cli.js');

/** Compiles the runners (`pnpm build`). */
export function buildRunners(): void {
  console.error('bench: pnpm build (runner processes run from dist/)');
  const built = spawnSync('pnpm', ['build'], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'inherit'] });
  if (built.status !== 0) throw new Error(`bench: pnpm build exited ${built.status}`);
}

/**
 * Node flags of a runner process: the image's NODE_OPTIONS from ./Dockerfile (its heap limit), or
 * BENCH_NODE_ARGS (space-separated; empty for none) when set.
 */
export function runnerNodeArgs(): string[] {
  const image = /^ENV .*\bNODE_OPTIONS=(\S+)/m.exec(readFileSync(join(repoRoot, 'Dockerfile'), 'utf8'))?.[1];
  return (process.env.BENCH_NODE_ARGS ?? image ?? '').split(' ').filter(Boolean);
}
