import {
  asyncScheduler,
  Observable,
  type OperatorFunction,
  type SchedulerAction,
  type SchedulerLike,
  type Subscription,
} from 'rxjs';
import type { Committable } from '../record.js';
import { StateStores } from '../state/state-stores.js';
import type { Window, WindowAssigner } from '../windows/time-windows.js';

/** One window's aggregate, as {@link windowAggregate} emits it. */
export interface WindowedValue<A> {
  readonly key: string;
  readonly window: Window;
  /** A copy of the aggregate at the flush: later records do not change it. */
  readonly value: A;
  /** The window has closed (stream time passed its end plus the grace): this value is its last. */
  readonly final: boolean;
}

/** What a record adds to the windows: a value under a key, at an event time. */
export interface Contribution<V> {
  readonly key: string;
  readonly value: V;
  /** Event time, epoch ms, deciding the windows (default: the record's `timestampOf`). */
  readonly timestamp?: number;
}

export interface WindowAggregateOptions<T, A, V = T> {
  /** The window spec ({@link TimeWindows}), or one per key, e.g. hourly windows only for per-operator keys. */
  windows: WindowAssigner | ((key: string) => WindowAssigner);
  /** The keys a record's value is aggregated under (default: its record key, `''` when null). */
  keysOf?: (record: Committable<T>) => Iterable<string>;
  /**
   * Instead of `keysOf`: what a record adds, each under its key and at its own event time — for a record that
   * carries several events, or values that differ per key.
   */
  contributionsOf?: (record: Committable<T>) => Iterable<Contribution<V>>;
  /** The record's event time, epoch ms (default: the record timestamp). It moves its partition's stream time. */
  timestampOf?: (record: Committable<T>) => number;
  /** The aggregate of an empty window. */
  initial: (key: string, window: Window) => A;
  /** Adds a value to a window's aggregate; may change `aggregate` in place and return it. JSON values only. */
  aggregate: (aggregate: A, value: V, key: string, window: Window) => A;
  /**
   * Where the windows and the operator's progress live (default: in memory, lost with the process). With
   * changelog-backed state (`StateStores.restore`), a restart resumes from the last flush; the state must declare
   * the store (as `windowed`, retention at least the longest window retention).
   */
  state?: StateStores;
  /** The store holding the windows (default `windows`); also names the operator's stream time. */
  store?: string;
  /**
   * How often changed windows are flushed and emitted, by the wall clock (default 200 ms). This bounds how stale an
   * emitted aggregate is, whether or not stream time moves.
   */
  flushIntervalMs?: number;
  /**
   * An input partition that delivered nothing for this long, by the wall clock, stops holding windows open
   * (default 5,000 ms), as Flink's `withIdleness`. For as long after subscribing, stream time does not move at
   * all: partitions whose first records have not arrived yet would otherwise find their windows closed.
   */
  idleMs?: number;
  scheduler?: SchedulerLike;
  /** A contribution arrived for a window that had closed; it is dropped for that window (the record is acked). */
  onLate?: (record: Committable<T>, key: string, window: Window) => void;
  /** A flush failed; its changes and records wait for the next one (the records stay unacked meanwhile). */
  onFlushError?: (error: unknown) => void;
}

/** A window as the store keeps it. */
interface StoredWindow<A> {
  k: string;
  s: number;
  e: number;
  v: A;
  f: boolean;
}

const idOf = (key: string, window: Window) => `${key}\u0000${window.start}\u0000${window.end}`;

/** The indexed window of this start and end, if any. */
function slotAt<A>(byStart: Map<number, Slot<A>[]>, window: Window): Slot<A> | undefined {
  const same = byStart.get(window.start);
  if (same) for (const slot of same) if (slot.stored.e === window.end) return slot;
  return undefined;
}

/**
 * A window the store holds, indexed by key and start so that a record's update finds it without building and hashing
 * its store id (a string of key, start and end) per window per record: the id is built once, when the window is new.
 */
interface Slot<A> {
  readonly id: string;
  readonly stored: StoredWindow<A>;
  /** The flush generation in which the window was last marked changed: marked once per flush, not per update. */
  marked: number;
}

/** Per key, its assigner and its windows by start (windows of different sizes may share a start). */
interface KeySlots<A> {
  readonly assigner: WindowAssigner;
  readonly byStart: Map<number, Slot<A>[]>;
}

/**
 * Aggregates records into time windows per key — Kafka Streams' `groupByKey().windowedBy(TimeWindows)
 * .aggregate(...)` as an RxJS operator — and emits the windows that changed, in batches, every `flushIntervalMs`.
 *
 * Time is event time: a value lands in the windows {@link WindowAssigner.windowsFor} gives for its timestamp, in
 * any order. Stream time is kept per input partition (the largest timestamp it delivered); a window closes once
 * every active partition has passed its end plus the grace, and is emitted once more with `final: true`. So a
 * partition read behind the others (one topic caught up later than another after a restart) never finds its
 * windows closed by the others' progress, as Flink's watermarks (the minimum over inputs); a partition silent for
 * `idleMs` stops holding windows open (Flink's `withIdleness`), and for `idleMs` after subscribing stream time holds
 * still, for partitions whose first records are still on their way. A value arriving for a closed window is late: it is
 * dropped for that window and reported to `onLate` (Kafka Streams logs and counts these as dropped records). A
 * closed window is kept until its retention passes, then evicted. Stream time moves only with records, so when
 * nothing arrives at all no window closes (confluentinc/kafka-streams-examples#441); the wall-clock flush still
 * emits every update within `flushIntervalMs`.
 *
 * The input records are acked once a flush made their effects durable — the changed windows, the stage's
 * position in each input partition and the stream time, written together — and only then are the changes
 * emitted. After a crash, records already flushed are recognised by their offsets and skipped (acked at once),
 * so with changelog-backed state each record counts exactly once, whatever the consumer group had committed.
 * On subscription the operator first emits every window the state already holds (after a restart: the restored
 * ones).
 *
 * Hazard: state grows with keys × windows retained; give long retentions only to coarse windows or few keys.
 *
 * ## Example
 * ```ts
 * // clicks per page per minute, allowing 10 s of disorder
 * records.pipe(
 *   windowAggregate({
 *     windows: TimeWindows.of(60_000, { graceMs: 10_000 }),
 *     keysOf: (r) => [r.value.page],
 *     timestampOf: (r) => r.value.at,
 *     initial: () => 0,
 *     aggregate: (count) => count + 1,
 *   }),
 * );
 * // emits e.g. [{ key: '/home', window: { start: 60000, end: 120000 }, value: 3, final: false }]
 * ```
 *
 * @see TimeWindows
 * @see StateStores
 * @param options The window spec, grouping, aggregation, state and flush interval.
 * @return Batches of the windows that changed (or closed) since the previous batch.
 */
export function windowAggregate<T, A, V = T>(
  options: WindowAggregateOptions<T, A, V>,
): OperatorFunction<Committable<T>, WindowedValue<A>[]> {
  const {
    keysOf = (r: Committable<T>) => [r.key ?? ''],
    timestampOf = (r: Committable<T>) => r.origin.timestamp,
    initial,
    aggregate,
    flushIntervalMs = 200,
    idleMs = 5_000,
    scheduler = asyncScheduler,
  } = options;
  const contributionsOf =
    options.contributionsOf ??
    ((r: Committable<T>): Iterable<Contribution<V>> =>
      // without contributionsOf, V is T: the record's value goes under each key
      [...keysOf(r)].map((key) => ({ key, value: r.value as unknown as V })));
  const storeName = options.store ?? 'windows';
  const assignerOf =
    typeof options.windows === 'function'
      ? options.windows
      : ((() => options.windows) as (key: string) => WindowAssigner);
  if (!Number.isFinite(flushIntervalMs) || flushIntervalMs <= 0)
    throw new RangeError(`flushIntervalMs must be positive, got ${flushIntervalMs}`);

  return (source) =>
    new Observable<WindowedValue<A>[]>((subscriber) => {
      const state = options.state ?? StateStores.inMemory({ [storeName]: { kind: 'windowed' } });
      const windows = state.store<StoredWindow<A>>(storeName);
      /** The index of `windows` by key and start; kept in step with it (new windows, evictions). */
      const slots = new Map<string, KeySlots<A>>();
      const slotsOf = (key: string): KeySlots<A> => {
        let k = slots.get(key);
        if (!k) {
          k = { assigner: assignerOf(key), byStart: new Map() };
          slots.set(key, k);
        }
        return k;
      };
      const index = (id: string, stored: StoredWindow<A>): Slot<A> => {
        const slot: Slot<A> = { id, stored, marked: -1 };
        const { byStart } = slotsOf(stored.k);
        const same = byStart.get(stored.s);
        if (same) same.push(slot);
        else byStart.set(stored.s, [slot]);
        return slot;
      };
      const unindex = (stored: StoredWindow<A>) => {
        const byStart = slots.get(stored.k)?.byStart;
        const same = byStart?.get(stored.s);
        if (!byStart || !same) return;
        const rest = same.filter((slot) => slot.stored.e !== stored.e);
        if (rest.length > 0) byStart.set(stored.s, rest);
        else byStart.delete(stored.s);
        if (byStart.size === 0) slots.delete(stored.k); // keys come and go (operators): none kept without windows
      };
      /** Records applied since the last flush began: acked once it is durable. */
      let pending: Committable<T>[] = [];
      /** Windows changed or closed since the last flush began. */
      let changed = new Set<string>();
      /** Counts the flushes begun: a window updated again in the same generation is already in `changed`. */
      let generation = 0;
      let flushing = false;
      /** A tick came while a flush was under way: the next flush starts as that one ends, not a tick later. */
      let tickMissed = false;
      let sourceDone = false;
      /** The earliest stream time at which some window closes or is evicted. */
      let nextCheck = Number.POSITIVE_INFINITY;
      /** Per input partition: the largest timestamp delivered, and when (scheduler time) it last delivered. */
      const partitions = new Map<string, { max: number; seenAt: number }>();
      /** The entries of `partitions` by topic and partition number: no id string built per record. */
      const partitionsByTopic = new Map<string, { max: number; seenAt: number }[]>();
      /** Stream time: the smallest of the active partitions' times; never moves back (restored from the state). */
      let streamTime = state.streamTime(storeName) ?? Number.NEGATIVE_INFINITY;

      /** Partitions not heard from yet may still come: stream time holds still for `idleMs` after subscribing. */
      const subscribedAt = scheduler.now();
      const recomputeStreamTime = (now: number) => {
        if (now - subscribedAt < idleMs) return;
        let slowest = Number.POSITIVE_INFINITY;
        let latest = Number.NEGATIVE_INFINITY;
        for (const p of partitions.values()) {
          latest = Math.max(latest, p.max);
          if (now - p.seenAt < idleMs) slowest = Math.min(slowest, p.max);
        }
        const next = slowest === Number.POSITIVE_INFINITY ? latest : slowest; // all idle: the latest of them
        if (next > streamTime) {
          streamTime = next;
          state.advanceStreamTime(storeName, next);
        }
      };
      const observe = (record: Committable<T>, timestamp: number) => {
        const { topic, partition } = record.origin;
        const now = scheduler.now();
        let byPartition = partitionsByTopic.get(topic);
        if (!byPartition) {
          byPartition = [];
          partitionsByTopic.set(topic, byPartition);
        }
        const p = byPartition[partition];
        if (!p) {
          const fresh = { max: timestamp, seenAt: now };
          byPartition[partition] = fresh;
          partitions.set(`${topic}:${partition}`, fresh);
          recomputeStreamTime(now);
          return;
        }
        p.seenAt = now;
        if (timestamp <= p.max) return;
        const heldStreamTime = p.max <= streamTime; // it may be the slowest partition
        p.max = timestamp;
        if (heldStreamTime) recomputeStreamTime(now);
      };

      const dueAt = (w: StoredWindow<A>) => {
        const assigner = assignerOf(w.k);
        const window = { start: w.s, end: w.e };
        return w.f ? assigner.evictedAt(window) : assigner.closesAt(window);
      };
      const emitted = (w: StoredWindow<A>): WindowedValue<A> => ({
        key: w.k,
        window: { start: w.s, end: w.e },
        value: structuredClone(w.v),
        final: w.f,
      });

      /** Closes and evicts what stream time has passed; returns the final values of windows evicted now. */
      const advance = (): WindowedValue<A>[] => {
        recomputeStreamTime(scheduler.now()); // partitions gone idle may let stream time move
        const evicted: WindowedValue<A>[] = [];
        if (streamTime < nextCheck) return evicted;
        nextCheck = Number.POSITIVE_INFINITY;
        for (const [id, w] of windows.entries()) {
          const assigner = assignerOf(w.k);
          const window = { start: w.s, end: w.e };
          if (!w.f && assigner.closesAt(window) <= streamTime) {
            w.f = true;
            windows.put(id, w);
            changed.add(id);
          }
          if (w.f && assigner.evictedAt(window) <= streamTime) {
            if (changed.delete(id)) evicted.push(emitted(w));
            windows.delete(id);
            unindex(w);
            continue;
          }
          nextCheck = Math.min(nextCheck, dueAt(w));
        }
        return evicted;
      };

      const apply = (record: Committable<T>) => {
        if (state.applied(record.origin)) {
          record.ack(); // its effects were flushed before a restart
          return;
        }
        const recordTime = timestampOf(record);
        observe(record, recordTime);
        for (const { key, value, timestamp = recordTime } of contributionsOf(record)) {
          const { assigner, byStart } = slotsOf(key);
          for (const window of assigner.windowsFor(timestamp)) {
            const closesAt = assigner.closesAt(window);
            if (closesAt <= streamTime) {
              options.onLate?.(record, key, window);
              continue;
            }
            const slot = slotAt(byStart, window);
            if (slot) {
              const { stored } = slot;
              stored.v = aggregate(stored.v, value, key, window);
              if (slot.marked !== generation) {
                // the aggregate changed in place: the store and the next flush need hearing of it once
                windows.put(slot.id, stored);
                changed.add(slot.id);
                slot.marked = generation;
              }
            } else {
              const id = idOf(key, window);
              const v = aggregate(initial(key, window), value, key, window);
              const stored = { k: key, s: window.start, e: window.end, v, f: false };
              windows.put(id, stored);
              index(id, stored).marked = generation;
              changed.add(id);
            }
            if (closesAt < nextCheck) nextCheck = closesAt;
          }
        }
        state.markApplied(record.origin);
        pending.push(record);
      };

      const settle = (records: Committable<T>[], updates: WindowedValue<A>[]) => {
        for (const r of records) r.ack();
        if (updates.length > 0) subscriber.next(updates);
        if (sourceDone && !flushing && pending.length === 0 && !state.dirty) subscriber.complete();
      };

      const flush = () => {
        if (subscriber.closed) return;
        if (flushing) {
          tickMissed = true;
          return;
        }
        tickMissed = false;
        const evicted = advance();
        if (!state.dirty && pending.length === 0 && changed.size === 0 && evicted.length === 0) {
          if (sourceDone) subscriber.complete();
          return;
        }
        const records = pending;
        const ids = changed;
        pending = [];
        changed = new Set();
        generation += 1;
        const updates = [...evicted];
        for (const id of ids) {
          const w = windows.get(id);
          if (w) updates.push(emitted(w));
        }
        const failed = (error: unknown) => {
          pending = records.concat(pending);
          for (const id of ids) changed.add(id);
          options.onFlushError?.(error);
          if (sourceDone) subscriber.error(error);
        };
        let written: void | Promise<void>;
        try {
          written = state.flush();
        } catch (error) {
          failed(error);
          return;
        }
        if (!(written instanceof Promise)) {
          settle(records, updates);
          return;
        }
        flushing = true;
        written.then(
          () => {
            flushing = false;
            if (subscriber.closed) return;
            settle(records, updates);
            if (sourceDone || tickMissed) flush();
          },
          (error: unknown) => {
            flushing = false;
            if (!subscriber.closed) failed(error);
          },
        );
      };

      // What the state holds already (after a restart: the restored windows), before anything new.
      const restored: WindowedValue<A>[] = [];
      for (const [id, w] of windows.entries()) {
        index(id, w);
        restored.push(emitted(w));
        nextCheck = Math.min(nextCheck, dueAt(w));
      }
      if (restored.length > 0) subscriber.next(restored);

      const ticks: Subscription = scheduler.schedule(function tick(this: SchedulerAction<unknown>) {
        flush();
        if (!subscriber.closed) this.schedule(undefined, flushIntervalMs);
      }, flushIntervalMs);
      const input = source.subscribe({
        next: (record) => {
          try {
            apply(record);
          } catch (error) {
            subscriber.error(error);
          }
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => {
          sourceDone = true;
          flush();
        },
      });
      return () => {
        input.unsubscribe();
        ticks.unsubscribe();
      };
    });
}
