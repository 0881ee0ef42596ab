/**
 * The keys the KPI windows are aggregated under, and what one record adds to them.
 *
 * - `c=<campaign>|s=<stream>`: a campaign and data stream (`*` where the record belongs to no campaign, as an
 *   incoming application; `?` where the KPI stage never saw the task's campaign or stream);
 * - `o=<operator>`: one operator (hours and days only).
 */

/** Named sums of one key and window: `calls.started`, `talkSeconds`, `rejections.AGE`, ... */
export type Counters = Record<string, number>;

/** What one event adds under one key, at its event time (epoch ms). */
export interface KpiFact {
  readonly key: string;
  readonly at: number;
  readonly counters: Counters;
}

/**
 * Keys built so far, by campaign and stream, and by operator. Every record names one or two keys; the same few
 * strings, reused, are hashed once for the maps the windows are found in, not built and hashed again per record.
 * Campaigns × streams and operators are few; should they not be, the caches start over past {@link KEYS_KEPT}.
 */
const KEYS_KEPT = 10_000;
const campaignKeys = new Map<number | string, Map<string, string>>();
const operatorKeys = new Map<number, string>();

/** The key of a campaign and data stream. */
export function campaignKey(campaign: number | '*' | '?', stream: string): string {
  let byStream = campaignKeys.get(campaign);
  if (!byStream) {
    if (campaignKeys.size >= KEYS_KEPT) campaignKeys.clear();
    byStream = new Map();
    campaignKeys.set(campaign, byStream);
  }
  let key = byStream.get(stream);
  if (key === undefined) {
    key = `c=${campaign}|s=${stream}`;
    byStream.set(stream, key);
  }
  return key;
}

/** The key of an operator. */
export function operatorKey(operatorId: number): string {
  let key = operatorKeys.get(operatorId);
  if (key === undefined) {
    if (operatorKeys.size >= KEYS_KEPT) operatorKeys.clear();
    key = `o=${operatorId}`;
    operatorKeys.set(operatorId, key);
  }
  return key;
}

/** What a key names: a campaign and stream, or an operator. */
export type ParsedKey =
  | { readonly kind: 'campaign'; readonly campaign: string; readonly stream: string }
  | { readonly kind: 'operator'; readonly operator: string };

export function parseKey(key: string): ParsedKey {
  if (key.startsWith('o=')) return { kind: 'operator', operator: key.slice(2) };
  const bar = key.indexOf('|');
  return { kind: 'campaign', campaign: key.slice(2, bar), stream: key.slice(bar + 3) };
}

/** Adds `counters` into `into` (in place) and returns it. */
export function addCounters(into: Counters, counters: Counters): Counters {
  for (const name in counters) into[name] = (into[name] ?? 0) + (counters[name] as number);
  return into;
}
