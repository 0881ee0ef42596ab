import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import avro from 'avsc';

/** One Avro schema file, parsed with the named types of the other files in its directory available to it. */
export interface SchemaFile {
  /** Path relative to the directory. */
  file: string;
  /** The schema's full name, e.g. `tm.Application`. */
  name: string;
  type: avro.Type;
}

function avscFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((entry) => {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) return avscFiles(path);
      return entry.endsWith('.avsc') ? [path] : [];
    });
}

/**
 * Parses every `.avsc` file under `dir` (recursively). A schema may refer by name to a type defined in another
 * file (`"type": "tm.Application"`); files are parsed in as many passes as their references need, so file order
 * does not matter. Throws naming the files whose references cannot be resolved, or whose JSON is not a schema.
 */
export function readSchemaDirectory(dir: string): SchemaFile[] {
  const pending = avscFiles(dir).map((path) => {
    try {
      return { path, json: JSON.parse(readFileSync(path, 'utf8')) as avro.Schema };
    } catch (err) {
      throw new Error(`${path}: not valid JSON: ${(err as Error).message}`);
    }
  });
  const registry: Record<string, avro.Type> = {};
  const parsed: SchemaFile[] = [];
  while (pending.length > 0) {
    const failures: string[] = [];
    for (let i = 0; i < pending.length; ) {
      const item = pending[i] as (typeof pending)[number];
      // Parse into a scratch registry so a failed attempt leaves no half-registered names behind.
      const scratch: Record<string, avro.Type> = { ...registry };
      try {
        const type = avro.Type.forSchema(item.json, { registry: scratch });
        Object.assign(registry, scratch);
        parsed.push({ file: relative(dir, item.path), name: type.name ?? relative(dir, item.path), type });
        pending.splice(i, 1);
      } catch (err) {
        failures.push(`${relative(dir, item.path)}: ${(err as Error).message}`);
        i += 1;
      }
    }
    if (failures.length === pending.length && pending.length > 0) {
      throw new Error(`cannot parse Avro schemas in ${dir}:\n  ${failures.join('\n  ')}`);
    }
  }
  return parsed;
}
