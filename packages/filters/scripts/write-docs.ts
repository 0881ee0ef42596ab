/** Rewrites the filters table of packages/filters/README.md from the built-in filters' own descriptions. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BUILTIN_FILTERS } from '../src/filters/builtin.js';
import { filterDocsTable, withFilterTable } from '../src/framework/docs-table.js';

const readme = join(import.meta.dirname, '..', 'README.md');
writeFileSync(readme, withFilterTable(readFileSync(readme, 'utf8'), filterDocsTable(BUILTIN_FILTERS)));
console.log(`wrote the table of ${BUILTIN_FILTERS.length} filters into ${readme}`);
