import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import avro from 'avsc';
import { AvroSchemaStore, fingerprintBytes } from './avro-schema-store.js';
import { HISTORY_FOLDER, readSchemaDirectory, readSchemaHistory } from './schema-directory.js';

/** A problem {@link checkSchemaEvolution} found in a schemas directory. */
export interface SchemaEvolutionProblem {
  /** The schema's full name. */
  name: string;
  problem: string;
}

/** Where {@link archiveSchemas} keeps a version: `history/<full name>/<fingerprint hex>.avsc`. */
export function historyFileOf(type: avro.Type): string {
  return join(HISTORY_FOLDER, type.name ?? 'unnamed', `${fingerprintBytes(type).toString('hex')}.avsc`);
}

/**
 * Checks a schemas directory the way a Schema Registry with BACKWARD_TRANSITIVE compatibility would, with
 * `history/` as its memory: every current schema must be archived in `history/` (so a later change cannot lose
 * the version records were written with), and must be able to read records written with every archived version
 * of its name (a reader-writer resolution, Avro's schema-resolution rules). Returns the problems, none when the
 * directory is consistent.
 */
export function checkSchemaEvolution(dir: string): SchemaEvolutionProblem[] {
  const archived = new Set(readSchemaHistory(dir).map((f) => fingerprintBytes(f.type).toString('hex')));
  const store = AvroSchemaStore.fromDirectory(dir);
  const problems: SchemaEvolutionProblem[] = [];
  for (const file of readSchemaDirectory(dir)) {
    const current = file.type;
    const name = current.name ?? file.file;
    if (!archived.has(fingerprintBytes(current).toString('hex'))) {
      problems.push({
        name,
        problem: `${file.file} is not archived in ${HISTORY_FOLDER}/: a changed schema must be archived (archiveSchemas) so records written with it stay readable`,
      });
    }
    for (const writer of store.versions(name)) {
      try {
        current.createResolver(writer);
      } catch (err) {
        problems.push({
          name,
          problem: `cannot read records written with ${historyFileOf(writer)}: ${(err as Error).message}`,
        });
      }
    }
  }
  return problems;
}

/**
 * Writes every current schema of a directory that is not archived yet to `history/<name>/<fingerprint>.avsc`,
 * self-contained (named types it uses are defined inline). Run it after changing a schema; returns the files
 * written, relative to `dir`.
 */
export function archiveSchemas(dir: string): string[] {
  const archived = new Set(readSchemaHistory(dir).map((f) => fingerprintBytes(f.type).toString('hex')));
  const written: string[] = [];
  for (const { type } of readSchemaDirectory(dir)) {
    if (archived.has(fingerprintBytes(type).toString('hex'))) continue;
    const file = historyFileOf(type);
    mkdirSync(join(dir, file, '..'), { recursive: true });
    writeFileSync(join(dir, file), `${JSON.stringify(type.schema({ exportAttrs: true }), null, 2)}\n`);
    written.push(file);
  }
  return written;
}

/** avsc's `long` read as bigint, to find which field of a record holds a long beyond 2^53. */
const bigintLong = avro.types.LongType.__with({
  fromBuffer: (buf: Buffer) => buf.readBigInt64LE(),
  toBuffer: (n: bigint) => {
    const buf = Buffer.alloc(8);
    buf.writeBigInt64LE(n);
    return buf;
  },
  fromJSON: (n: number | string) => BigInt(n),
  toJSON: (n: bigint) => Number(n),
  isValid: (n: unknown) => typeof n === 'bigint',
  compare: (a: bigint, b: bigint) => (a < b ? -1 : a > b ? 1 : 0),
});

function unsafeLongPaths(value: unknown, path: string, out: string[]): void {
  if (typeof value === 'bigint') {
    if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) out.push(path);
  } else if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) unsafeLongPaths(v, `${path}[${i}]`, out);
  } else if (value && typeof value === 'object' && !Buffer.isBuffer(value)) {
    for (const [k, v] of Object.entries(value)) unsafeLongPaths(v, path ? `${path}.${k}` : k, out);
  }
}

/**
 * Says, in words, why `body` (written with `writer`) could not be decoded as `reader`: which fields hold a long
 * JavaScript cannot represent exactly (beyond 2^53), or avsc's own message with both schema names. Meant for
 * dead-letter reasons, so it names fields, never values.
 */
export function describeDecodeFailure(
  reader: avro.Type,
  writer: avro.Type,
  body: Buffer,
  error: unknown,
): string {
  const message = error instanceof Error ? error.message : String(error);
  if (/precision loss/.test(message)) {
    try {
      const wide = avro.Type.forSchema(writer.schema(), { registry: { long: bigintLong } });
      const paths: string[] = [];
      unsafeLongPaths(wide.fromBuffer(body), '', paths);
      if (paths.length > 0) {
        return `${writer.name} field ${paths.join(', ')}: a long beyond 2^53, which JavaScript numbers cannot hold exactly`;
      }
    } catch {
      // fall through to avsc's message
    }
  }
  const as = writer === reader ? '' : ` (written as ${writer.name})`;
  return `cannot decode ${reader.name}${as}: ${message}`;
}

/** Says why a record written with `writer` cannot be read as `reader` at all, e.g. another record type. */
export function describeResolutionFailure(reader: avro.Type, writer: avro.Type, error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (writer.name !== reader.name) return `writer ${writer.name} cannot be read as ${reader.name}`;
  return `writer version of ${writer.name} cannot be read by the current one: ${message}`;
}
