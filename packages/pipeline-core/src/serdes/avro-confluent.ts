import avro from 'avsc';
import { defer, firstValueFrom, tap } from 'rxjs';
import { RetriesExhaustedError, SchemaRegistryError } from '../errors.js';
import { defaultLogger, type Logger } from '../log.js';
import { retryBackoff } from '../operators/retry-backoff.js';
import type { RetryPolicy } from '../retry/backoff.js';
import { onceUntilFailed } from '../retry/once-until-failed.js';
import { type AvroSerde, framedAvroEncoder } from './avro-framing.js';
import { describeDecodeFailure, describeResolutionFailure } from './schema-evolution.js';
import { SchemaRegistryClient } from './schema-registry-client.js';
import type { Serde } from './serde.js';

/** Confluent wire format: magic byte 0, then the schema id (4 bytes, big-endian), then the Avro binary body. */
const MAGIC = 0;
const HEADER_LENGTH = 5;

/**
 * How a Confluent serde waits for a Schema Registry that cannot answer: until it answers, 250 ms doubling to 10 s
 * between tries, equal jitter. A registry outage delays records; it never fails them (ADR 0123).
 */
export const REGISTRY_RETRY: RetryPolicy = {
  maxAttempts: Number.MAX_SAFE_INTEGER,
  initialDelayMs: 250,
  maxDelayMs: 10_000,
  jitter: 'equal',
};

export interface ConfluentAvroOptions {
  /** A Schema Registry client, or the registry's URL (see {@link SchemaRegistryClient}). */
  registry: SchemaRegistryClient | string;
  /**
   * The subjects `ready()` registers the writer schema under: one per topic written, `<topic>-value` by Confluent's
   * TopicNameStrategy. None for a serde that only reads.
   */
  subjects: string | readonly string[];
  /** The schema this process writes with and reads into. */
  schema: avro.Type;
  /**
   * The schema text to register (default: avsc's export of `schema`, which keeps defaults but drops docs and
   * logical types; pass `AvroSchemaStore.definition(name)` to register the file as written).
   */
  definition?: string;
  /** How registry calls are retried while the registry cannot answer (default {@link REGISTRY_RETRY}). */
  retry?: RetryPolicy;
  /** Where waits for the registry are logged (default: pipeline-core's logger). */
  logger?: Logger;
}

/**
 * Avro in Confluent's wire format (`00`, the schema id, the body), with schema ids from a Confluent-compatible
 * Schema Registry.
 *
 * - `ready()` registers the writer schema under each subject; after that `encode` is synchronous.
 * - `decode` of the writer's own id, or of an id met before, is synchronous; an unseen id is fetched once, and a
 *   record written with another schema is resolved to this one (schema evolution).
 *
 * While the registry cannot be reached, times out or answers 408, 429 or 5xx, both wait and try again
 * ({@link REGISTRY_RETRY}): a consuming stage holds its records meanwhile, in order, and a starting one stays
 * unready. Only the registry's own answer fails them: for `ready()`, any 4xx (an incompatible or invalid schema,
 * a wrong URL, refused credentials); for `decode`, "no schema with this id" (404, error code 40403) or a writer
 * schema that cannot be resolved to this one — the record is then dead-lettered.
 */
export function confluentAvroSerde<T>(
  options: ConfluentAvroOptions,
): AvroSerde<T> & Required<Pick<Serde<T>, 'ready'>> {
  const registry =
    typeof options.registry === 'string'
      ? new SchemaRegistryClient({ url: options.registry })
      : options.registry;
  const reader = options.schema;
  const subjects = typeof options.subjects === 'string' ? [options.subjects] : [...options.subjects];
  const definition = options.definition ?? JSON.stringify(reader.schema({ exportAttrs: true }));
  const policy = options.retry ?? REGISTRY_RETRY;
  let log: Logger | undefined = options.logger;
  const logger = () => {
    log ??= defaultLogger('schema-registry');
    return log;
  };
  let header: Buffer | undefined;
  let encode: ((value: T) => Buffer) | undefined;
  let writerId: number | undefined;
  /** Writer schemas by id, once fetched; the resolver (or why there is none) made on first use. */
  const writers = new Map<number, { writer: avro.Type; resolver?: avro.Resolver; unresolvable?: string }>();
  const fetching = new Map<number, Promise<void>>();

  /** Runs a registry call until it answers (retrying what `retriable` accepts), logging each failed try. */
  const untilAnswered = <R>(
    what: Record<string, unknown>,
    call: () => Promise<R>,
    retriable: (error: unknown) => boolean,
  ): Promise<R> => {
    let attempt = 0;
    return firstValueFrom(
      defer(() => {
        attempt += 1;
        return call();
      }).pipe(
        tap({
          next: () => {
            if (attempt > 1) logger().info({ ...what, attempts: attempt }, 'schema registry answered');
          },
          error: (error: unknown) => {
            if (!retriable(error)) return;
            logger().warn(
              { ...what, attempt, error: error instanceof Error ? error.message : String(error) },
              'schema registry cannot answer; waiting to try again',
            );
          },
        }),
        retryBackoff({ ...policy, retriable }),
      ),
    ).catch((error: unknown) => {
      throw error instanceof RetriesExhaustedError && error.attempts === 1 ? error.cause : error;
    });
  };

  const register = async (): Promise<void> => {
    const ids: number[] = [];
    for (const subject of subjects) {
      ids.push(
        await untilAnswered(
          { subject },
          () => registry.register(subject, definition),
          (e) => e instanceof SchemaRegistryError && e.retriable,
        ),
      );
    }
    const id = ids[0];
    if (id === undefined) return;
    if (ids.some((other) => other !== id)) {
      // Confluent's and Apicurio's registries give one schema one id in every subject; another may not.
      logger().warn(
        { subjects, ids },
        'the schema has different ids in its subjects; records carry the first, which names the same schema',
      );
    }
    writerId = id;
    header = Buffer.alloc(HEADER_LENGTH);
    header.writeUInt8(MAGIC, 0);
    header.writeInt32BE(id, 1);
    encode = framedAvroEncoder<T>(reader, header);
    writers.set(id, { writer: reader });
  };

  /** Fetches writer schema `id` once (concurrent decodes share the fetch); waits out registry outages. */
  const fetchWriter = (id: number): Promise<void> => {
    let pending = fetching.get(id);
    if (!pending) {
      pending = untilAnswered(
        { schemaId: id },
        () => registry.schemaById(id),
        (e) => !(e instanceof SchemaRegistryError && e.schemaNotFound),
      ).then(({ schema, schemaType }) => {
        if (schemaType !== 'AVRO') {
          throw new Error(`schema ${id} in the registry is ${schemaType}, not AVRO`);
        }
        // Parsed into a registry of its own: the writer's named types may differ from the reader's.
        writers.set(id, { writer: avro.Type.forSchema(JSON.parse(schema) as avro.Schema, { registry: {} }) });
      });
      const forget = () => fetching.delete(id);
      pending.then(forget, forget);
      fetching.set(id, pending);
    }
    return pending;
  };

  const decodeWith = (id: number, body: Buffer): T => {
    const known = writers.get(id) as { writer: avro.Type; resolver?: avro.Resolver; unresolvable?: string };
    if (known.writer === reader) return readBody(reader, reader, body);
    if (!known.resolver && !known.unresolvable) {
      try {
        known.resolver = reader.createResolver(known.writer);
      } catch (err) {
        known.unresolvable = describeResolutionFailure(reader, known.writer, err);
      }
    }
    if (known.unresolvable) throw new Error(known.unresolvable);
    return readBody(reader, known.writer, body, known.resolver);
  };

  return {
    schema: reader,
    header() {
      if (!header)
        throw new Error(`confluentAvroSerde(${subjects.join(', ')}): call ready() before encode()`);
      return Buffer.from(header);
    },
    ready: onceUntilFailed(register), // again after a failure
    encode(value: T): Buffer {
      if (!encode)
        throw new Error(`confluentAvroSerde(${subjects.join(', ')}): call ready() before encode()`);
      return encode(value);
    },
    decode(bytes: Buffer): T | Promise<T> {
      if (bytes.length < HEADER_LENGTH || bytes[0] !== MAGIC)
        throw new Error('not Confluent wire format (no magic byte 0)');
      const id = bytes.readInt32BE(1);
      const body = bytes.subarray(HEADER_LENGTH);
      if (id === writerId || writers.has(id)) return decodeWith(id, body);
      return fetchWriter(id).then(() => decodeWith(id, body));
    },
  };
}

function readBody<T>(reader: avro.Type, writer: avro.Type, body: Buffer, resolver?: avro.Resolver): T {
  try {
    return reader.fromBuffer(body, resolver) as T;
  } catch (err) {
    throw new Error(describeDecodeFailure(reader, writer, body, err));
  }
}
