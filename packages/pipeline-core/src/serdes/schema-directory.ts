import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import avro from 'avsc';

/** One Avro schema file, parsed with the named types of the other files in its directory available to it. */
export interface SchemaFile {
  /** Path relative to the directory. */
  file: string;
  /** The schema's full name, e.g. `tm.Application`. */
  name: string;
  type: avro.Type;
  /** The file's JSON as written (docs, defaults and logical types included). */
  json: avro.Schema;
}

/** The folder of a schemas directory that holds earlier versions ({@link readSchemaHistory}), not current ones. */
export const HISTORY_FOLDER = 'history';

function avscFiles(dir: string, skip: readonly string[] = []): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((entry) => {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) return skip.includes(entry) ? [] : avscFiles(path);
      return entry.endsWith('.avsc') ? [path] : [];
    });
}

function readJson(path: string): avro.Schema {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as avro.Schema;
  } catch (err) {
    throw new Error(`${path}: not valid JSON: ${(err as Error).message}`);
  }
}

/**
 * Parses the current schemas of a directory: every `.avsc` file under `dir` (recursively), except the
 * `history/` folder of earlier versions. A schema may refer by name to a type defined in another file
 * (`"type": "tm.Application"`); files are parsed in as many passes as their references need, so file order does
 * not matter. Throws naming the files whose references cannot be resolved, or whose JSON is not a schema.
 */
export function readSchemaDirectory(dir: string): SchemaFile[] {
  const pending = avscFiles(dir, [HISTORY_FOLDER]).map((path) => ({ path, json: readJson(path) }));
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
        parsed.push({
          file: relative(dir, item.path),
          name: type.name ?? relative(dir, item.path),
          type,
          json: item.json,
        });
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

/**
 * Parses the earlier versions kept under `<dir>/history/` (none when the folder is absent). Each file is one
 * version, self-contained (every named type it uses defined inside it, as `type.schema()` writes it), because the
 * types it embeds may have changed since: an old `Candidate` carries the `Application` it was written with.
 */
export function readSchemaHistory(dir: string): SchemaFile[] {
  const history = join(dir, HISTORY_FOLDER);
  if (!existsSync(history)) return [];
  return avscFiles(history).map((path) => {
    try {
      const json = readJson(path);
      const type = avro.Type.forSchema(json, { registry: {} });
      return { file: relative(dir, path), name: type.name ?? relative(dir, path), type, json };
    } catch (err) {
      throw new Error(`${relative(dir, path)}: not a self-contained Avro schema: ${(err as Error).message}`);
    }
  });
}
