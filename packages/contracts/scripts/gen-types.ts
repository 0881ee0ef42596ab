/**
 * Generates TypeScript types from schemas/*.avsc into src/generated/ (`pnpm --filter @tm/contracts gen:types`).
 * A unit test (src/generated.test.ts) fails when the generated files are out of date.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generatedFiles } from '../src/codegen/generate.js';

const outDir = join(import.meta.dirname, '..', 'src', 'generated');
for (const [file, content] of generatedFiles()) {
  writeFileSync(join(outDir, file), content);
  console.log(`wrote src/generated/${file}`);
}
