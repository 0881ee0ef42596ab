import type avro from 'avsc';
import { crc64Avro } from './crc64-avro.js';
import { readSchemaDirectory, readSchemaHistory } from './schema-directory.js';
import { namedTypeDefinitions, selfContainedSchema } from './self-contained-schema.js';

/** The Parsing Canonical Form of an avsc type, as the Avro specification defines it. */
export function canonicalForm(type: avro.Type): string {
  return JSON.stringify(type.schema());
}

/** A type's CRC-64-AVRO fingerprint as 8 little-endian bytes, the way single-object encoding writes it. */
export function fingerprintBytes(type: avro.Type): Buffer {
  const out = Buffer.alloc(8);
  out.writeBigUInt64LE(crc64Avro(Buffer.from(canonicalForm(type), 'utf8')));
  return out;
}

/**
 * Avro schemas known to this process, by full name (the current version) and by fingerprint (every version
 * ever written), so records written with an older schema can still be read: the reader resolves the writer's
 * schema to its own (Avro schema resolution: defaults fill new fields, dropped fields are skipped).
 */
export class AvroSchemaStore {
  readonly #byName = new Map<string, avro.Type>();
  readonly #byFingerprint = new Map<string, avro.Type>();
  readonly #definitions = new Map<string, string>();

  /**
   * Loads a schemas directory: the `.avsc` files outside `history/` are the current versions (they may refer to
   * each other by name); files under `history/` are earlier versions, each self-contained, kept so old records stay
   * readable (see {@link archiveSchemas}).
   */
  static fromDirectory(dir: string): AvroSchemaStore {
    const store = new AvroSchemaStore();
    const current = readSchemaDirectory(dir);
    const definitions = namedTypeDefinitions(current.map((f) => f.json));
    for (const file of current) {
      store.addCurrent(file.type, JSON.stringify(selfContainedSchema(file.json, definitions)));
    }
    for (const file of readSchemaHistory(dir)) store.addVersion(file.type);
    return store;
  }

  /**
   * Registers a type as the current version of its name (and as a known writer version).
   *
   * @param definition The schema's text as written, self-contained (what {@link definition} returns); by default
   *   avsc's export of the type, which keeps defaults but drops docs and logical types.
   */
  addCurrent(type: avro.Type, definition?: string): void {
    if (!type.name) throw new Error('only named types (records, enums, fixed) can be stored');
    this.#byName.set(type.name, type);
    this.#definitions.set(type.name, definition ?? JSON.stringify(type.schema({ exportAttrs: true })));
    this.addVersion(type);
  }

  /**
   * The current version of a named schema as JSON text to register with a Schema Registry: as its file has it
   * (docs, defaults, logical types), with the named types of other files it uses put in, so it stands alone.
   */
  definition(name: string): string {
    this.current(name); // throws naming the known ones
    return this.#definitions.get(name) as string;
  }

  /** Registers a type as a version records may have been written with. */
  addVersion(type: avro.Type): void {
    this.#byFingerprint.set(fingerprintBytes(type).toString('hex'), type);
  }

  /** The current version of a named schema; throws naming the known ones when absent. */
  current(name: string): avro.Type {
    const type = this.#byName.get(name);
    if (!type) throw new Error(`no Avro schema named ${name}; known: ${[...this.#byName.keys()].join(', ')}`);
    return type;
  }

  /** The version with this fingerprint (8 little-endian bytes, hex), if known. */
  byFingerprint(hex: string): avro.Type | undefined {
    return this.#byFingerprint.get(hex);
  }

  /** The full names of the current versions. */
  names(): string[] {
    return [...this.#byName.keys()];
  }

  /** Every known version (current and earlier) of a name. */
  versions(name: string): avro.Type[] {
    return [...this.#byFingerprint.values()].filter((t) => t.name === name);
  }
}
