import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readSchemaDirectory } from '@tm/pipeline-core';
import { expect } from 'chai';
import { generatedFiles } from './codegen/generate.js';
import { SchemaNames, schemasDir } from './schemas.js';

describe('contracts', () => {
  it('src/generated/ is up to date with schemas/ (run `pnpm --filter @tm/contracts gen:types`)', () => {
    for (const [file, content] of generatedFiles()) {
      const onDisk = readFileSync(join(import.meta.dirname, 'generated', file), 'utf8');
      expect(onDisk, file).to.equal(content);
    }
  });

  it('has one schema per named topic value, and every schema parses', () => {
    const names = readSchemaDirectory(schemasDir).map((s) => s.name);
    expect(names).to.include.members(Object.values(SchemaNames));
  });
});
