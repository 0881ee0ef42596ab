import { basename, join } from 'node:path';
import { toTypeScript } from '@ovotech/avro-ts';
import { readSchemaDirectory } from '@tm/pipeline-core';

export const schemasDir = join(import.meta.dirname, '..', '..', '..', '..', 'schemas');

const HEADER = `// Generated from schemas/ by packages/contracts/scripts/gen-types.ts. Do not edit; run \`pnpm --filter @tm/contracts gen:types\`.
/* biome-ignore-all lint: generated code */
`;

/** The generated TypeScript for every schema file, as [file name, content] pairs. */
export function generatedFiles(): [string, string][] {
  return readSchemaDirectory(schemasDir).map(({ file, type }) => {
    const schema = type.schema({ exportAttrs: true });
    const ts = toTypeScript(schema as Parameters<typeof toTypeScript>[0], {
      logicalTypes: { 'timestamp-millis': 'number', date: 'number' },
    });
    // avro-ts declares named types flat (`TmPeriodUnit`) but writes later by-name references as `Tm.PeriodUnit`.
    const flat = ts
      .replace('/* eslint-disable @typescript-eslint/no-namespace */\n', '')
      .replace(/\bTm\.(\w+)/g, 'Tm$1');
    return [`${basename(file, '.avsc')}.ts`, `${HEADER}${flat}\n`];
  });
}
