import { groupBy, mergeMap, type OperatorFunction } from 'rxjs';

/** FNV-1a of a string (32 bits): spreads keys evenly over lanes, the same lane for a key in every process. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * Spreads items over `lanes` copies of `lane` by a hash of their key, and merges what the lanes emit. Each lane is
 * its own subscription to `lane` (its own batches, its own write in flight), so lanes run concurrently while the
 * items of one key always go through the same lane, in arrival order. With one lane every item goes through a
 * single copy.
 *
 * For a writer that takes batches (`writeBatches`) and must never hold two items of one key at once in
 * concurrent writes: per-key order without a queue per key.
 *
 * ## Example
 * ```ts
 * records.pipe(inLanes(2, (r) => r.value.phone, writeBatches((batch) => store(batch), { count: 1000, lingerMs: 50 })));
 * ```
 *
 * @param lanes How many lanes (a positive integer).
 * @param keyOf The key whose items must share a lane.
 * @param lane What each lane does with its items.
 */
export function inLanes<T, R>(
  lanes: number,
  keyOf: (item: T) => string,
  lane: OperatorFunction<T, R>,
): OperatorFunction<T, R> {
  if (!Number.isInteger(lanes) || lanes < 1)
    throw new RangeError(`lanes must be a positive integer, got ${lanes}`);
  return (source) =>
    source.pipe(
      groupBy((item) => (lanes === 1 ? 0 : fnv1a(keyOf(item)) % lanes)),
      mergeMap((items) => items.pipe(lane)),
    );
}
