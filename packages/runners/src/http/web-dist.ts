import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** The front-ends of @tm/web, each an entry of its Vite build (ADR 0113). */
export type WebEntry = 'dashboard' | 'operator';

/**
 * The build output of @tm/web (`packages/web/dist/`, written by `pnpm build`) when `entry`'s page is in it
 * (`dist/<entry>/index.html`), else undefined. Found through the package, so it does not depend on the working
 * directory. Pages load their shared chunks from `dist/assets/` by relative URLs.
 */
export function builtWebDist(entry: WebEntry): string | undefined {
  try {
    const dir = join(dirname(createRequire(import.meta.url).resolve('@tm/web/package.json')), 'dist');
    return existsSync(join(dir, entry, 'index.html')) ? dir : undefined;
  } catch {
    return undefined;
  }
}
