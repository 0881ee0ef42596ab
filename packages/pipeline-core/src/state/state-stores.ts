import { randomUUID } from 'node:crypto';
import type { OutboundRecord, RecordOrigin } from '../record.js';
import { readTopicUntil } from '../transport/read-topic-until.js';
import type { Transport, TransportProducer } from '../transport/types.js';

/**
 * The state of one stateful stage — named key-value stores, how far each input partition has been applied, and
 * stream times — kept in memory and made durable by {@link StateStores.flush}. Backed either by nothing (tests, or
 * state that may be lost) or by changelog topics, as Kafka Streams' `ChangeLoggingKeyValueBytesStore` and
 * `ChangeLoggingWindowBytesStore` do.
 */

/** How a store's changelog topic is kept. */
export interface StoreSpec {
  /**
   * `key-value` (default): the changelog is compacted, so a key's last value stays until it is deleted.
   * `windowed`: entries expire by themselves; the changelog is `compact,delete` with a retention of `retentionMs`
   * plus a day, as Kafka Streams' `WindowedChangelogTopicConfig` (the day covers a stage that was down a while).
   */
  kind?: 'key-value' | 'windowed';
  /** `windowed` only: the longest time an entry lives, ms. */
  retentionMs?: number;
}

/** A named store of JSON values. Changes made with `put` and `delete` are written by the next flush. */
export interface KeyValueStore<V> {
  readonly name: string;
  get(key: string): V | undefined;
  has(key: string): boolean;
  /** Sets the key. A value changed in place must be `put` again to reach the changelog. */
  put(key: string, value: V): void;
  delete(key: string): void;
  entries(): IterableIterator<[string, V]>;
  readonly size: number;
}

/** The durable part of {@link StateStores} as plain data: what a restart would find. */
export interface StateSnapshot {
  /** Store name → key → value. */
  readonly stores: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /** `topic:partition` → the next offset to apply. */
  readonly positions: Readonly<Record<string, number>>;
  /** Name → stream time, epoch ms. */
  readonly streamTimes: Readonly<Record<string, number>>;
}

/** A change as the changelog holds it: the value as JSON text, or null for a deletion. */
interface Change {
  readonly topic: string;
  readonly key: string;
  readonly value: string | null;
}

/** Where flushed changes go. */
interface Backend {
  /** Writes the changes atomically, or fails having written none that a reader can see. */
  write(changes: readonly Change[]): void | Promise<void>;
  close(): Promise<void>;
}

/** The state's changelog could not be read or written. */
export class StateStoreError extends Error {
  constructor(
    readonly operation: 'restore' | 'flush',
    readonly topics: readonly string[],
    cause: unknown,
  ) {
    super(
      `state ${operation} failed (${topics.join(', ')}): ${cause instanceof Error ? cause.message : String(cause)}`,
      {
        cause,
      },
    );
    this.name = 'StateStoreError';
  }
}

/** Options of {@link StateStores.restore}. */
export interface ChangelogStateOptions {
  transport: Transport;
  /** Names the changelog topics (`<applicationId>-<store>-changelog`) and the transactional id (`<applicationId>-state`). */
  applicationId: string;
  stores: Readonly<Record<string, StoreSpec>>;
  replicationFactor?: number;
  /** Longest wait to read the changelogs to their end (default 120,000 ms). */
  timeoutMs?: number;
}

const BARRIER_KEY = '__barrier';
/** A flush that gets no answer for this long fails (a broker that hangs rather than refuses). */
const WRITE_TIMEOUT_MS = 30_000;
/** Bytes of changelog records per send inside a flush's transaction. */
const SEND_BYTES = 256 * 1024;
const POSITIONS = 'positions';
const DAY = 86_400_000;

function positionKey(topic: string, partition: number): string {
  return `offset:${topic}:${partition}`;
}

/** Keys of the positions changelog: `offset:<topic>:<partition>` and `time:<name>`. */
type Kind = 'offset' | 'time';

class MapStore<V> implements KeyValueStore<V> {
  readonly map = new Map<string, V>();
  /**
   * The keys changed since the last flush began, each with whether the changelog may hold a value for it (the key
   * held one at its first change since then, or a failed flush gave it back). A key that held none and holds none
   * again (put and deleted between two flushes, as a join's waiting entry) needs no tombstone. Kept by the store
   * itself: a put is one lookup here, not a call back into the state per change.
   */
  dirty = new Map<string, boolean>();
  constructor(readonly name: string) {}
  get(key: string): V | undefined {
    return this.map.get(key);
  }
  has(key: string): boolean {
    return this.map.has(key);
  }
  put(key: string, value: V): void {
    if (key === BARRIER_KEY) throw new RangeError(`${BARRIER_KEY} is a reserved key`);
    if (!this.dirty.has(key)) this.dirty.set(key, this.map.has(key)); // the first change since the last flush tells
    this.map.set(key, value);
  }
  delete(key: string): void {
    if (!this.map.delete(key)) return;
    if (!this.dirty.has(key)) this.dirty.set(key, true);
  }
  entries(): IterableIterator<[string, V]> {
    return this.map.entries();
  }
  get size(): number {
    return this.map.size;
  }
}

/**
 * Named key-value stores plus the stage's progress (the next offset to apply per input partition, and stream
 * times), changed in memory and written as one atomic batch by {@link flush}.
 *
 * - {@link StateStores.inMemory}: nothing outside the process; {@link snapshot} returns what the last flush wrote,
 *   and `inMemory(specs, snapshot)` starts from it, as Flink's operator test harness snapshots and restores.
 * - {@link StateStores.restore}: one changelog topic per store plus `<applicationId>-positions-changelog`, each
 *   with one partition. A flush is one Kafka transaction over all of them, so a reader (the next start) sees every
 *   change of a flush or none; the stage's progress is in the same transaction, so after a crash the records
 *   applied since the last flush are applied again and those before it are skipped ({@link applied}), whatever
 *   offsets the consumer group had committed. The transactional id fences an older instance still running.
 *
 * ## Example
 * ```ts
 * const state = await StateStores.restore({ transport, applicationId: 'clicks', stores: { counts: {} } });
 * const counts = state.store<number>('counts');
 * // for each record not yet applied:
 * if (!state.applied(record.origin)) {
 *   counts.put(record.value.page, (counts.get(record.value.page) ?? 0) + 1);
 *   state.markApplied(record.origin);
 * }
 * await state.flush(); // then ack the records applied
 * ```
 */
export class StateStores {
  readonly #stores = new Map<string, MapStore<unknown>>();
  readonly #positions = new Map<string, number>();
  /** {@link positionKey} per topic and partition, built once: it is looked up two or three times per record. */
  readonly #positionKeys = new Map<string, string[]>();
  readonly #streamTimes = new Map<string, number>();
  readonly #dirtyProgress = new Set<string>();
  readonly #topics: ReadonlyMap<string, string>;
  #flushing: Promise<void> | undefined;
  #lastFlushedAt: number | undefined;

  private constructor(
    readonly specs: Readonly<Record<string, StoreSpec>>,
    topics: ReadonlyMap<string, string>,
    private readonly backend: Backend,
  ) {
    if (POSITIONS in specs) throw new RangeError(`"${POSITIONS}" is a reserved store name`);
    this.#topics = topics;
    for (const name of Object.keys(specs)) {
      this.#stores.set(name, new MapStore(name));
    }
  }

  /** State kept only in this process: {@link snapshot} gives what the last flush wrote; start from one with `snapshot`. */
  static inMemory(stores: Readonly<Record<string, StoreSpec>>, snapshot?: StateSnapshot): StateStores {
    const persisted: { stores: Record<string, Record<string, unknown>>; progress: Record<string, unknown> } =
      {
        stores: {},
        progress: {},
      };
    const topics = new Map(Object.keys(stores).map((name) => [name, name] as const));
    topics.set(POSITIONS, POSITIONS);
    const backend: Backend = {
      write: (changes) => {
        for (const c of changes) {
          if (c.topic !== POSITIONS) persisted.stores[c.topic] ??= {};
          const target =
            c.topic === POSITIONS
              ? persisted.progress
              : (persisted.stores[c.topic] as Record<string, unknown>);
          if (c.value === null) delete target[c.key];
          else target[c.key] = JSON.parse(c.value);
        }
      },
      close: async () => {},
    };
    const state = new StateStores(stores, topics, backend);
    state.#persistedView = () => persisted;
    if (snapshot) {
      const changes: Change[] = [];
      for (const [name, entries] of Object.entries(snapshot.stores)) {
        for (const [key, value] of Object.entries(entries))
          changes.push({ topic: name, key, value: JSON.stringify(value) });
      }
      for (const [key, offset] of Object.entries(snapshot.positions))
        changes.push({ topic: POSITIONS, key: `offset:${key}`, value: JSON.stringify(offset) });
      for (const [name, time] of Object.entries(snapshot.streamTimes))
        changes.push({ topic: POSITIONS, key: `time:${name}`, value: JSON.stringify(time) });
      backend.write(changes);
      for (const c of changes) state.#load(c.topic, c.key, c.value);
    }
    return state;
  }

  /**
   * Creates the changelog topics when missing, connects the transactional producer (fencing an older instance),
   * and reads every changelog to its end (read_committed) into memory.
   * @throws {StateStoreError} when the changelogs cannot be read to their end in time.
   */
  static async restore(options: ChangelogStateOptions): Promise<StateStores> {
    const { transport, applicationId } = options;
    const topics = new Map<string, string>();
    for (const name of [...Object.keys(options.stores), POSITIONS])
      topics.set(name, `${applicationId}-${name}-changelog`);
    const specOf = (name: string): StoreSpec => options.stores[name] ?? {};
    await transport.ensureTopics(
      [...topics].map(([name, topic]) => {
        const spec = specOf(name);
        const config: Record<string, string> =
          spec.kind === 'windowed'
            ? { 'cleanup.policy': 'compact,delete', 'retention.ms': String((spec.retentionMs ?? DAY) + DAY) }
            : { 'cleanup.policy': 'compact' };
        return { topic, partitions: 1, replicationFactor: options.replicationFactor ?? 1, config };
      }),
    );
    const backend = new ChangelogBackend(transport, `${applicationId}-state`, [...topics.values()]);
    const state = new StateStores(options.stores, topics, backend);
    const byTopic = new Map([...topics].map(([name, topic]) => [topic, name] as const));
    try {
      await backend.readToEnd(`${applicationId}-restore`, options.timeoutMs ?? 120_000, (topic, key, value) =>
        state.#load(byTopic.get(topic) as string, key, value),
      );
    } catch (err) {
      await backend.close();
      throw new StateStoreError('restore', [...topics.values()], err);
    }
    state.#lastFlushedAt = Date.now();
    return state;
  }

  /** The store of this name (declared when the state was created). */
  store<V>(name: string): KeyValueStore<V> {
    const store = this.#stores.get(name);
    if (!store) throw new RangeError(`no store "${name}"; declared: ${[...this.#stores.keys()].join(', ')}`);
    return store as KeyValueStore<V>;
  }

  /** True when this record's effects are already in the state: it was applied before the last flush that reached it. */
  applied(origin: Pick<RecordOrigin, 'topic' | 'partition' | 'offset'>): boolean {
    const next = this.#positions.get(this.#positionKey(origin.topic, origin.partition));
    return next !== undefined && origin.offset < next;
  }

  /** Records that the record's effects are in the state; the next flush makes that durable with them. */
  markApplied(origin: Pick<RecordOrigin, 'topic' | 'partition' | 'offset'>): void {
    const key = this.#positionKey(origin.topic, origin.partition);
    const next = origin.offset + 1;
    if ((this.#positions.get(key) ?? -1) >= next) return;
    this.#positions.set(key, next);
    this.#dirtyProgress.add(key);
  }

  /** A stream time kept with the state (the largest timestamp seen by an operator), or undefined. */
  streamTime(name: string): number | undefined {
    return this.#streamTimes.get(name);
  }

  /** Moves a stream time forward (never back). */
  advanceStreamTime(name: string, timestamp: number): void {
    const current = this.#streamTimes.get(name);
    if (current !== undefined && current >= timestamp) return;
    this.#streamTimes.set(name, timestamp);
    this.#dirtyProgress.add(`time:${name}`);
  }

  /** Changes wait for a flush. */
  get dirty(): boolean {
    if (this.#dirtyProgress.size > 0) return true;
    for (const store of this.#stores.values()) if (store.dirty.size > 0) return true;
    return false;
  }

  /**
   * Writes every change since the last flush as one atomic batch: synchronously for in-memory state (so marble
   * tests stay in virtual time), as one Kafka transaction otherwise. A failed flush keeps the changes for the next.
   * Flushes never overlap: one asked for during another runs after it.
   */
  flush(): void | Promise<void> {
    if (this.#flushing) {
      const next = this.#flushing.then(
        () => this.flush(),
        () => this.flush(),
      );
      return next;
    }
    const changes = this.#takeChanges();
    if (changes.length === 0) {
      this.#lastFlushedAt = Date.now();
      return;
    }
    let written: void | Promise<void>;
    try {
      written = this.backend.write(changes);
    } catch (err) {
      this.#giveBack(changes);
      throw new StateStoreError('flush', [...new Set(changes.map((c) => c.topic))], err);
    }
    if (!(written instanceof Promise)) {
      this.#lastFlushedAt = Date.now();
      return;
    }
    this.#flushing = written.then(
      () => {
        this.#flushing = undefined;
        this.#lastFlushedAt = Date.now();
      },
      (err: unknown) => {
        this.#flushing = undefined;
        this.#giveBack(changes);
        throw new StateStoreError('flush', [...new Set(changes.map((c) => c.topic))], err);
      },
    );
    return this.#flushing;
  }

  /** When (wall clock, epoch ms) the last flush succeeded, or the state was restored; undefined before either. */
  get lastFlushedAt(): number | undefined {
    return this.#lastFlushedAt;
  }

  /** What the last successful flush wrote, as plain data. */
  snapshot(): StateSnapshot {
    const view = this.#persistedView?.();
    if (!view)
      throw new Error(
        'snapshot() is for in-memory state; a changelog-backed state is read back with restore()',
      );
    const positions: Record<string, number> = {};
    const streamTimes: Record<string, number> = {};
    for (const [key, value] of Object.entries(view.progress)) {
      const [kind, ...rest] = key.split(':') as [Kind, ...string[]];
      if (kind === 'offset') positions[rest.join(':')] = value as number;
      else streamTimes[rest.join(':')] = value as number;
    }
    return structuredClone({ stores: view.stores, positions, streamTimes });
  }

  /** Releases the changelog producer. Unflushed changes are lost (as in a crash). */
  async close(): Promise<void> {
    await this.#flushing?.catch(() => {});
    await this.backend.close();
  }

  #positionKey(topic: string, partition: number): string {
    let byPartition = this.#positionKeys.get(topic);
    if (!byPartition) {
      byPartition = [];
      this.#positionKeys.set(topic, byPartition);
    }
    let key = byPartition[partition];
    if (key === undefined) {
      key = positionKey(topic, partition);
      byPartition[partition] = key;
    }
    return key;
  }

  #persistedView:
    | (() => { stores: Record<string, Record<string, unknown>>; progress: Record<string, unknown> })
    | undefined;

  #takeChanges(): Change[] {
    const changes: Change[] = [];
    for (const [name, store] of this.#stores) {
      if (store.dirty.size === 0) continue;
      const topic = this.#topics.get(name) as string;
      for (const [key, mayHoldValue] of store.dirty) {
        const value = store.map.get(key);
        if (value === undefined && !mayHoldValue) continue; // created and deleted since the last flush
        changes.push({ topic, key, value: value === undefined ? null : JSON.stringify(value) });
      }
      store.dirty = new Map();
    }
    const positionsTopic = this.#topics.get(POSITIONS) as string;
    for (const key of this.#dirtyProgress) {
      const value = key.startsWith('time:')
        ? this.#streamTimes.get(key.slice('time:'.length))
        : this.#positions.get(key);
      changes.push({ topic: positionsTopic, key, value: JSON.stringify(value) });
    }
    this.#dirtyProgress.clear();
    return changes;
  }

  /** A failed flush: its keys are dirty again (their current values go with the next flush). */
  #giveBack(changes: readonly Change[]): void {
    const byTopic = new Map([...this.#topics].map(([name, topic]) => [topic, name] as const));
    for (const c of changes) {
      const name = byTopic.get(c.topic) as string;
      if (name === POSITIONS) this.#dirtyProgress.add(c.key);
      // whatever changed since, what this flush meant to write must still be written
      else this.#stores.get(name)?.dirty.set(c.key, true);
    }
  }

  #load(name: string, key: string, value: string | null): void {
    if (name === POSITIONS) {
      if (value === null) return;
      const [kind, ...rest] = key.split(':') as [Kind, ...string[]];
      const parsed = JSON.parse(value) as number;
      if (kind === 'offset') this.#positions.set(key, parsed);
      else if (kind === 'time') this.#streamTimes.set(rest.join(':'), parsed);
      return;
    }
    const store = this.#stores.get(name);
    if (!store) return;
    if (value === null) store.map.delete(key);
    else store.map.set(key, JSON.parse(value));
  }
}

/** Changelog topics written in Kafka transactions by one transactional producer, replaced after a failure. */
class ChangelogBackend implements Backend {
  #producer: TransportProducer | undefined;

  constructor(
    private readonly transport: Transport,
    private readonly transactionalId: string,
    private readonly topics: readonly string[],
  ) {}

  async #connected(): Promise<TransportProducer> {
    if (!this.#producer) {
      const producer = this.transport.createProducer({
        transactionalId: this.transactionalId,
        clientId: this.transactionalId,
      });
      try {
        await producer.connect();
      } catch (err) {
        await producer.disconnect().catch(() => {});
        throw err;
      }
      this.#producer = producer;
    }
    return this.#producer;
  }

  async write(changes: readonly Change[]): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no answer from the broker in ${WRITE_TIMEOUT_MS} ms`)),
        WRITE_TIMEOUT_MS,
      );
    });
    try {
      await Promise.race([this.#write(changes), timeout]);
    } catch (err) {
      // Whatever is still under way belongs to a producer we drop: the next one (same transactional id) fences it and
      // aborts its transaction. Should that transaction have committed after all, the next flush writes the same
      // values again: changelog entries are states, not increments.
      const stuck = this.#producer;
      this.#producer = undefined;
      void stuck?.disconnect().catch(() => {});
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  async #write(changes: readonly Change[]): Promise<void> {
    const producer = await this.#connected();
    let txn: Awaited<ReturnType<TransportProducer['transaction']>> | undefined;
    try {
      txn = await producer.transaction();
      // In sends of at most SEND_BYTES: a flush can change many keys, and one request of them all would exceed the
      // broker's message.max.bytes (1 MiB by default: kafkajs puts a partition's records in one batch).
      let batch: OutboundRecord[] = [];
      let bytes = 0;
      for (const c of changes) {
        const value = c.value === null ? null : Buffer.from(c.value);
        batch.push({ topic: c.topic, key: c.key, value, partition: 0 });
        bytes += c.key.length + (value?.length ?? 0) + 32;
        if (bytes >= SEND_BYTES) {
          await txn.send(batch);
          batch = [];
          bytes = 0;
        }
      }
      if (batch.length > 0) await txn.send(batch);
      await txn.commit();
    } catch (err) {
      await txn?.abort().catch(() => {});
      throw err; // write() drops the producer; a new one (same transactional id) aborts whatever is open
    }
  }

  /**
   * Reads every changelog from its start up to barriers committed just now: once each topic's barrier nonce has
   * been read, every transaction committed before it has been read too (one partition keeps the order).
   */
  async readToEnd(
    groupPrefix: string,
    timeoutMs: number,
    onRecord: (topic: string, key: string, value: string | null) => void,
  ): Promise<void> {
    const nonce = randomUUID();
    await this.write(
      this.topics.map((topic) => ({ topic, key: BARRIER_KEY, value: JSON.stringify({ barrier: nonce }) })),
    );
    const pending = new Set(this.topics);
    await readTopicUntil(this.transport, this.topics, {
      groupId: `${groupPrefix}-${randomUUID()}`,
      until: (records) => {
        for (const r of records) {
          const key = r.key?.toString('utf8') ?? '';
          const value = r.value === null ? null : r.value.toString('utf8');
          if (key === BARRIER_KEY) {
            if (value !== null && (JSON.parse(value) as { barrier: string }).barrier === nonce)
              pending.delete(r.topic);
          } else {
            onRecord(r.topic, key, value);
          }
        }
        return pending.size === 0;
      },
      timeoutMs,
      timeoutError: () =>
        new Error(`the end of ${[...pending].join(', ')} was not reached in ${timeoutMs} ms`),
    });
  }

  async close(): Promise<void> {
    const producer = this.#producer;
    this.#producer = undefined;
    await producer?.disconnect();
  }
}
