import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, found from this file's location (infra/src/ or infra/dist/). */
export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Where `pnpm infra:up` records the services it started, so tests and `infra:down` can find them. */
export const infraStateDir = join(repoRoot, '.tm-infra');
