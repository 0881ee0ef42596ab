/**
 * Archives every current schema of schemas/ that is not in schemas/history/ yet
 * (`pnpm --filter @tm/contracts schemas:archive`). Run it after changing a schema: records written with each
 * version stay readable, and the contracts tests check every change against the archived versions (BACKWARD_TRANSITIVE).
 */
import { archiveSchemas } from '@tm/pipeline-core';
import { schemasDir } from '../src/schemas.js';

const dir = process.argv[2] ?? schemasDir;
const written = archiveSchemas(dir);
for (const file of written) console.log(`archived ${file}`);
if (written.length === 0) console.log('every schema is archived already');
