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

/** The key of a campaign and data stream. */
export function campaignKey(campaign: number | '*' | '?', stream: string): string {
  return `c=${campaign}|s=${stream}`;
}

/** The key of an operator. */
export function operatorKey(operatorId: number): string {
  return `o=${operatorId}`;
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
