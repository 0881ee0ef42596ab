import type { Filter } from './filter.js';

/** The markers around the generated table in packages/filters/README.md. */
export const FILTER_TABLE_START =
  '<!-- filters-table:start (generated from the filters by `pnpm --filter @tm/filters docs`) -->';
export const FILTER_TABLE_END = '<!-- filters-table:end -->';

const cell = (text: string) => text.replaceAll('|', '\\|').replaceAll('\n', ' ');

/**
 * The filters' documentation table, from what each filter says of itself (`name`, `keys`, `services`, `summary`,
 * `whenAbsent`), in the registry's order: the code is the one home of a filter's description, as a stream
 * framework's components document themselves.
 */
export function filterDocsTable(filters: readonly Filter[]): string {
  const rows = filters.map((f) =>
    [
      f.name,
      f.keys.length > 0 ? f.keys.map((k) => `\`${k}\``).join(', ') : '—',
      f.services.length > 0 ? f.services.join(', ') : '—',
      cell(f.summary),
      cell(f.whenAbsent),
    ].join(' | '),
  );
  return [
    '| name | keys | asks | passes when | input absent |',
    '|---|---|---|---|---|',
    ...rows.map((r) => `| ${r} |`),
  ].join('\n');
}

/** `readme` with the text between the markers replaced by `table`; throws when the markers are missing. */
export function withFilterTable(readme: string, table: string): string {
  const start = readme.indexOf(FILTER_TABLE_START);
  const end = readme.indexOf(FILTER_TABLE_END);
  if (start === -1 || end < start) throw new Error('the README has no filters-table markers');
  return `${readme.slice(0, start + FILTER_TABLE_START.length)}\n${table}\n${readme.slice(end)}`;
}
