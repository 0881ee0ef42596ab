import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { BUILTIN_FILTERS } from '../filters/builtin.js';
import { FILTER_TABLE_END, FILTER_TABLE_START, filterDocsTable, withFilterTable } from './docs-table.js';

describe('the filters documentation table', () => {
  it('in the README is the one generated from the filters (run `pnpm --filter @tm/filters docs` after a change)', () => {
    const readme = readFileSync(join(import.meta.dirname, '..', '..', 'README.md'), 'utf8');
    expect(readme).to.equal(withFilterTable(readme, filterDocsTable(BUILTIN_FILTERS)));
  });

  it('has a row per filter with its keys and services, and escapes pipes', () => {
    const table = filterDocsTable(BUILTIN_FILTERS).split('\n');
    expect(table).to.have.length(BUILTIN_FILTERS.length + 2);
    expect(table.find((r) => r.startsWith('| AGE |'))).to.include('`min-age`');
    expect(table.find((r) => r.startsWith('| PHONE_BLACK_LIST |'))).to.include('| blacklist |');
    const piped = { ...BUILTIN_FILTERS[0]!, summary: 'a | b' };
    expect(filterDocsTable([piped])).to.include('a \\| b');
  });

  it('refuses a README without the markers', () => {
    expect(() => withFilterTable('no markers', 'x')).to.throw(/markers/);
    expect(withFilterTable(`a${FILTER_TABLE_START}old${FILTER_TABLE_END}b`, 'new')).to.equal(
      `a${FILTER_TABLE_START}\nnew\n${FILTER_TABLE_END}b`,
    );
  });
});
