/**
 * Time windows for {@link windowAggregate}: which windows a timestamp falls into, when a window closes, and how
 * long it is kept. The spec follows Kafka Streams' `TimeWindows` (size, advance, grace) and Flink's
 * `TumblingEventTimeWindows.of(size, offset)` (an offset that aligns days to a time zone).
 */

/** A half-open interval of event time, `[start, end)`, epoch milliseconds. */
export interface Window {
  readonly start: number;
  readonly end: number;
}

/** What {@link windowAggregate} asks of a window spec. {@link TimeWindows} is the one this package provides. */
export interface WindowAssigner {
  /** The windows a record with this timestamp belongs to, earliest start first. Pure. */
  windowsFor(timestamp: number): Window[];
  /** Stream time at which the window closes: records for it arriving then or later are late and dropped. */
  closesAt(window: Window): number;
  /** Stream time at which the window's final value is evicted from the store (never before it closes). */
  evictedAt(window: Window): number;
}

/** Options of {@link TimeWindows.of}. */
export interface TimeWindowsOptions {
  /** Distance between window starts (default: the size, i.e. tumbling windows). At most the size. */
  advanceMs?: number;
  /**
   * How long after a window's end records are still accepted for it, in stream time (default 0). Out-of-order
   * records within the grace update the window; later ones are late.
   */
  graceMs?: number;
  /**
   * Shifts the window starts from multiples of `advanceMs` since the epoch (default 0). Day windows that start at
   * midnight in UTC+3 (Moscow) take `-3 * HOUR`, as Flink's `TumblingEventTimeWindows.of(Time.days(1),
   * Time.hours(-3))` does.
   */
  offsetMs?: number;
  /**
   * How long a window is kept, counted from its start, in stream time (default: size + grace, so it is evicted
   * as it closes). Longer keeps final values around for queries, as Kafka Streams' `Materialized.withRetention`.
   */
  retentionMs?: number;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * Fixed-size windows aligned to the epoch (plus an offset): tumbling when the advance equals the size, hopping
 * when it is smaller. A window closes once stream time (the largest timestamp seen) passes its end by the grace.
 *
 * ## Example
 * ```ts
 * const days = TimeWindows.of(TimeWindows.DAY, { offsetMs: -3 * TimeWindows.HOUR, graceMs: 10 * TimeWindows.MINUTE });
 * days.windowsFor(Date.parse('2024-03-01T20:59:59Z')); // [{ start: 2024-02-29T21:00Z, end: 2024-03-01T21:00Z }]
 * days.windowsFor(Date.parse('2024-03-01T21:00:00Z')); // [{ start: 2024-03-01T21:00Z, end: 2024-03-02T21:00Z }]
 *
 * const hopping = TimeWindows.of(10_000, { advanceMs: 5_000 });
 * hopping.windowsFor(12_000); // [{ start: 5000, end: 15000 }, { start: 10000, end: 20000 }]
 * ```
 */
export class TimeWindows implements WindowAssigner {
  static readonly MINUTE = MINUTE;
  static readonly HOUR = HOUR;
  static readonly DAY = DAY;

  readonly advanceMs: number;
  readonly graceMs: number;
  /** The offset normalised into `[0, advanceMs)`. */
  readonly offsetMs: number;
  readonly retentionMs: number;

  private constructor(
    readonly sizeMs: number,
    options: TimeWindowsOptions,
  ) {
    this.advanceMs = options.advanceMs ?? sizeMs;
    this.graceMs = options.graceMs ?? 0;
    this.retentionMs = options.retentionMs ?? sizeMs + this.graceMs;
    const positive = (name: string, v: number) => {
      if (!Number.isSafeInteger(v) || v <= 0)
        throw new RangeError(`${name} must be a positive integer, got ${v}`);
    };
    positive('sizeMs', sizeMs);
    positive('advanceMs', this.advanceMs);
    if (this.advanceMs > sizeMs)
      throw new RangeError(`advanceMs (${this.advanceMs}) exceeds sizeMs (${sizeMs})`);
    if (!Number.isSafeInteger(this.graceMs) || this.graceMs < 0)
      throw new RangeError(`graceMs must be a non-negative integer, got ${this.graceMs}`);
    const offset = options.offsetMs ?? 0;
    if (!Number.isSafeInteger(offset)) throw new RangeError(`offsetMs must be an integer, got ${offset}`);
    this.offsetMs = ((offset % this.advanceMs) + this.advanceMs) % this.advanceMs;
    if (!Number.isSafeInteger(this.retentionMs) || this.retentionMs < sizeMs + this.graceMs) {
      throw new RangeError(
        `retentionMs (${this.retentionMs}) must be at least sizeMs + graceMs (${sizeMs + this.graceMs})`,
      );
    }
  }

  /**
   * Windows of `sizeMs`, starting every `advanceMs` (default: tumbling) at multiples of the advance plus the offset.
   * @throws {RangeError} for a non-positive size or advance, an advance larger than the size, a negative grace, or a
   * retention shorter than size + grace.
   */
  static of(sizeMs: number, options: TimeWindowsOptions = {}): TimeWindows {
    return new TimeWindows(sizeMs, options);
  }

  /**
   * The windows holding `timestamp`, earliest start first: `[start, start + size)` for every aligned start in
   * `(timestamp - size, timestamp]`. A tumbling spec returns exactly one.
   */
  windowsFor(timestamp: number): Window[] {
    const last =
      timestamp - ((((timestamp - this.offsetMs) % this.advanceMs) + this.advanceMs) % this.advanceMs);
    if (this.advanceMs === this.sizeMs) return [{ start: last, end: last + this.sizeMs }]; // tumbling: one
    const windows: Window[] = [];
    for (
      let start = last - Math.floor((this.sizeMs - 1) / this.advanceMs) * this.advanceMs;
      start <= last;
    ) {
      if (start > timestamp - this.sizeMs) windows.push({ start, end: start + this.sizeMs });
      start += this.advanceMs;
    }
    return windows;
  }

  closesAt(window: Window): number {
    return window.end + this.graceMs;
  }

  evictedAt(window: Window): number {
    return window.start + this.retentionMs;
  }

  /** `PT1M`-style label of the size, for metrics and logs. */
  toString(): string {
    const s = this.sizeMs;
    const label =
      s % DAY === 0
        ? `P${s / DAY}D`
        : s % HOUR === 0
          ? `PT${s / HOUR}H`
          : s % MINUTE === 0
            ? `PT${s / MINUTE}M`
            : `PT${s / 1000}S`;
    return this.advanceMs === s ? label : `${label}/${this.advanceMs}ms`;
  }
}

/**
 * Several window specs of different sizes as one assigner: a timestamp falls into a window of each, and each
 * window closes and is evicted by the spec of its size. For KPIs per minute, hour and day from one aggregation.
 *
 * ## Example
 * ```ts
 * const local = { offsetMs: -3 * TimeWindows.HOUR };
 * const windows = combineWindows(TimeWindows.of(TimeWindows.MINUTE), TimeWindows.of(TimeWindows.DAY, local));
 * windows.windowsFor(Date.parse('2024-03-01T21:00:30Z')); // [21:00-21:01, 2024-03-01T21:00 - 2024-03-02T21:00]
 * ```
 * @throws {RangeError} when two specs have the same size.
 */
export function combineWindows(
  ...specs: readonly TimeWindows[]
): WindowAssigner & { readonly retentionMs: number } {
  const bySize = new Map<number, TimeWindows>();
  for (const spec of specs) {
    if (bySize.has(spec.sizeMs)) throw new RangeError(`two window specs of size ${spec.sizeMs} ms`);
    bySize.set(spec.sizeMs, spec);
  }
  const specOf = (window: Window): TimeWindows => {
    const spec = bySize.get(window.end - window.start);
    if (!spec) throw new RangeError(`no window spec of size ${window.end - window.start} ms`);
    return spec;
  };
  return {
    retentionMs: Math.max(...specs.map((s) => s.retentionMs)),
    windowsFor: (timestamp) => {
      const windows: Window[] = [];
      for (const spec of specs) for (const w of spec.windowsFor(timestamp)) windows.push(w);
      return windows;
    },
    closesAt: (window) => specOf(window).closesAt(window),
    evictedAt: (window) => specOf(window).evictedAt(window),
  };
}
