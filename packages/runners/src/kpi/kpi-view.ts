import type { TimeWindows, WindowedValue } from '@tm/pipeline-core';
import type { KpiGauges } from './kpi-facts.js';
import { addCounters, type Counters, parseKey } from './kpi-keys.js';
import { type Gauges, type KpiSeries, type KpiTotals, WINDOW_SIZES, type WindowSize } from './kpi-schemas.js';

/** Which campaign and data stream a query is about (all when absent). */
export interface KpiFilter {
  campaign?: string | undefined;
  stream?: string | undefined;
}

const ratio = (n: number | undefined, d: number | undefined): number | null =>
  d ? Math.round(((n ?? 0) / d) * 10_000) / 10_000 : null;

/** The rates of one set of counters. */
export function totalsOf(start: number, end: number, counters: Counters): KpiTotals {
  const c = counters;
  return {
    start: new Date(start).toISOString(),
    end: new Date(end).toISOString(),
    counters: c,
    answerRate: ratio(c['calls.ANSWERED'], c['calls.ended']),
    averageTalkSeconds: ratio(c.talkSeconds, c['calls.ANSWERED']),
    averageHandleSeconds: ratio(c.handleSeconds, c.wrapups),
    savedInTimeShare: ratio(c.savedInTime, c.wrapups),
    conversionRate: ratio(c.conversions, c['calls.ANSWERED']),
    repeatContactShare: ratio(c.repeatContacts, c['calls.started']),
  };
}

/**
 * The read side of the KPI stage: the latest value of every window {@link windowAggregate} emitted, per size, start
 * and key, queried by campaign and stream. Windows older than their retention are dropped as new ones arrive.
 */
export class KpiView {
  readonly #windows = new Map<WindowSize, Map<number, Map<string, Counters>>>(
    WINDOW_SIZES.map((size) => [size, new Map()]),
  );
  readonly #sizeOf = new Map<number, WindowSize>();
  readonly #campaigns = new Set<string>();
  readonly #streams = new Set<string>();
  readonly #operators = new Set<string>();
  #latestStart = new Map<WindowSize, number>();
  /** When the last batch arrived (wall clock), for freshness probes. */
  updatedAt: number | undefined;
  /** Updates applied so far. */
  updates = 0;

  constructor(readonly specs: Readonly<Record<WindowSize, TimeWindows>>) {
    for (const size of WINDOW_SIZES) this.#sizeOf.set(specs[size].sizeMs, size);
  }

  /** Takes a batch of changed windows. */
  apply(batch: readonly WindowedValue<Counters>[], now = Date.now()): void {
    for (const w of batch) {
      const size = this.#sizeOf.get(w.window.end - w.window.start);
      if (!size) continue;
      const byStart = this.#windows.get(size) as Map<number, Map<string, Counters>>;
      let keys = byStart.get(w.window.start);
      if (!keys) {
        keys = new Map();
        byStart.set(w.window.start, keys);
      }
      keys.set(w.key, w.value);
      const parsed = parseKey(w.key);
      if (parsed.kind === 'operator') this.#operators.add(parsed.operator);
      else {
        if (parsed.campaign !== '*') this.#campaigns.add(parsed.campaign);
        if (parsed.stream !== '*') this.#streams.add(parsed.stream);
      }
      if (w.window.start > (this.#latestStart.get(size) ?? Number.NEGATIVE_INFINITY)) {
        this.#latestStart.set(size, w.window.start);
        this.#prune(size);
      }
    }
    this.updates += batch.length;
    this.updatedAt = now;
  }

  /** Campaigns, data streams and operators seen. */
  dimensions(): { campaigns: string[]; streams: string[]; operators: string[] } {
    const sorted = (s: Set<string>) => [...s].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
    return {
      campaigns: sorted(this.#campaigns),
      streams: sorted(this.#streams),
      operators: sorted(this.#operators),
    };
  }

  /** The start of the window of this size holding `timestamp`. */
  windowStart(size: WindowSize, timestamp: number): number {
    return (this.specs[size].windowsFor(timestamp)[0] as { start: number }).start;
  }

  /** The counters of one window summed over the campaign keys the filter selects. */
  counters(size: WindowSize, start: number, filter: KpiFilter = {}): Counters {
    const sum: Counters = {};
    for (const [key, counters] of this.#windows.get(size)?.get(start) ?? []) {
      const parsed = parseKey(key);
      if (parsed.kind !== 'campaign') continue;
      if (filter.campaign !== undefined && parsed.campaign !== filter.campaign) continue;
      if (filter.stream !== undefined && parsed.stream !== filter.stream) continue;
      addCounters(sum, counters);
    }
    return sum;
  }

  /** Totals and rates of the window of this size holding `at`. */
  totals(size: WindowSize, at: number, filter: KpiFilter = {}): KpiTotals {
    const start = this.windowStart(size, at);
    return totalsOf(start, start + this.specs[size].sizeMs, this.counters(size, start, filter));
  }

  /** Per operator, the counters of the window of this size holding `at` (operators have hours and days). */
  operators(size: Exclude<WindowSize, 'minute'>, at: number): Map<string, Counters> {
    const out = new Map<string, Counters>();
    for (const [key, counters] of this.#windows.get(size)?.get(this.windowStart(size, at)) ?? []) {
      const parsed = parseKey(key);
      if (parsed.kind === 'operator') out.set(parsed.operator, counters);
    }
    return out;
  }

  /** The last `count` windows of a size up to the one holding `at`, for the measures asked (all when none). */
  series(
    size: WindowSize,
    count: number,
    at: number,
    filter: KpiFilter = {},
    measures?: readonly string[],
  ): KpiSeries {
    const sizeMs = this.specs[size].sizeMs;
    const last = this.windowStart(size, at);
    const starts = Array.from({ length: count }, (_, i) => last - (count - 1 - i) * sizeMs);
    const rows = starts.map((start) => this.counters(size, start, filter));
    const names = measures ?? [...new Set(rows.flatMap((r) => Object.keys(r)))].sort();
    const values: Record<string, number[]> = {};
    for (const name of names) values[name] = rows.map((r) => r[name] ?? 0);
    return { size, starts, values };
  }

  #prune(size: WindowSize): void {
    const latest = this.#latestStart.get(size) as number;
    const byStart = this.#windows.get(size) as Map<number, Map<string, Counters>>;
    const oldest = latest - this.specs[size].retentionMs;
    for (const start of byStart.keys()) if (start < oldest) byStart.delete(start);
  }
}

/** The gauges summed over the campaign keys the filter selects. */
export function gaugesDto(gauges: KpiGauges, filter: KpiFilter, now: number): Gauges {
  const selected = (key: string) => {
    const parsed = parseKey(key);
    return (
      parsed.kind === 'campaign' &&
      (filter.campaign === undefined || parsed.campaign === filter.campaign) &&
      (filter.stream === undefined || parsed.stream === filter.stream)
    );
  };
  const tasks = { waiting: 0, queued: 0, calling: 0 };
  for (const [key, g] of gauges.tasks) {
    if (!selected(key)) continue;
    tasks.waiting += g.waiting;
    tasks.queued += g.queued;
    tasks.calling += g.calling;
  }
  let draftsWaiting = 0;
  let oldest = Number.POSITIVE_INFINITY;
  for (const [key, d] of gauges.drafts) {
    if (!selected(key)) continue;
    draftsWaiting += d.count;
    oldest = Math.min(oldest, d.oldestAt);
  }
  return {
    tasks,
    draftsWaiting,
    oldestDraftAgeSeconds: draftsWaiting > 0 ? Math.max(0, Math.round((now - oldest) / 1000)) : null,
    operators: { ...gauges.operators },
  };
}
