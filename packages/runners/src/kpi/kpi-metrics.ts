import { Counter, Gauge, type Registry } from 'prom-client';
import type { KpiGauges } from './kpi-facts.js';
import { parseKey } from './kpi-keys.js';
import type { WindowSize } from './kpi-schemas.js';
import type { KpiView } from './kpi-view.js';

/** What the KPI metrics read at scrape time. */
export interface KpiMetricSources {
  view: KpiView;
  gauges: () => KpiGauges | undefined;
  late: () => Readonly<Record<WindowSize, number>>;
  clock: () => number;
}

/**
 * The KPIs as Prometheus metrics (`tm_kpi_*`), read from the view and the gauges when the registry is scraped, for
 * users who chart them in Grafana. Today's counters are gauges that start again at local midnight.
 */
export class KpiMetrics {
  readonly flushFailures: Counter;

  constructor(registry: Registry, sources: KpiMetricSources) {
    const registers = [registry];
    const { view, clock } = sources;
    new Gauge({
      name: 'tm_kpi_today',
      help: "Today's counts (local day) per campaign, data stream and measure, e.g. calls.ANSWERED, rejections.AGE.",
      labelNames: ['campaign', 'stream', 'measure'],
      registers,
      collect() {
        this.reset();
        const start = view.windowStart('day', clock());
        const dims = view.dimensions();
        for (const campaign of ['*', ...dims.campaigns, '?']) {
          for (const stream of ['*', ...dims.streams, '?']) {
            const counters = view.counters('day', start, { campaign, stream });
            for (const [measure, value] of Object.entries(counters))
              this.set({ campaign, stream, measure }, value);
          }
        }
      },
    });
    new Gauge({
      name: 'tm_kpi_operator_today',
      help: "Today's counts (local day) per operator and measure: calls.started, calls.ANSWERED, talkSeconds, ...",
      labelNames: ['operator', 'measure'],
      registers,
      collect() {
        this.reset();
        for (const [operator, counters] of view.operators('day', clock())) {
          for (const [measure, value] of Object.entries(counters)) this.set({ operator, measure }, value);
        }
      },
    });
    new Gauge({
      name: 'tm_kpi_tasks',
      help: 'Open campaign tasks per campaign, data stream and state: waiting (not dispatched), queued (at the telephony), calling.',
      labelNames: ['campaign', 'stream', 'state'],
      registers,
      collect() {
        this.reset();
        for (const [key, g] of sources.gauges()?.tasks ?? []) {
          const k = parseKey(key);
          if (k.kind !== 'campaign') continue;
          for (const state of ['waiting', 'queued', 'calling'] as const)
            this.set({ campaign: k.campaign, stream: k.stream, state }, g[state]);
        }
      },
    });
    new Gauge({
      name: 'tm_kpi_drafts_waiting',
      help: 'Communications saved as DRAFT and not yet FIXED (cards waiting for rework).',
      labelNames: ['campaign', 'stream'],
      registers,
      collect() {
        this.reset();
        for (const [key, d] of sources.gauges()?.drafts ?? []) {
          const k = parseKey(key);
          if (k.kind === 'campaign') this.set({ campaign: k.campaign, stream: k.stream }, d.count);
        }
      },
    });
    new Gauge({
      name: 'tm_kpi_oldest_draft_age_seconds',
      help: 'Age of the oldest draft waiting for rework.',
      labelNames: ['campaign', 'stream'],
      registers,
      collect() {
        this.reset();
        const now = clock();
        for (const [key, d] of sources.gauges()?.drafts ?? []) {
          const k = parseKey(key);
          if (k.kind === 'campaign')
            this.set({ campaign: k.campaign, stream: k.stream }, Math.max(0, (now - d.oldestAt) / 1000));
        }
      },
    });
    new Gauge({
      name: 'tm_kpi_operators',
      help: 'Operators with an open session, by state: logged_in (all), ready, on_break.',
      labelNames: ['state'],
      registers,
      collect() {
        const o = sources.gauges()?.operators ?? { loggedIn: 0, ready: 0, onBreak: 0 };
        this.set({ state: 'logged_in' }, o.loggedIn);
        this.set({ state: 'ready' }, o.ready);
        this.set({ state: 'on_break' }, o.onBreak);
      },
    });
    const reported: Record<string, number> = {};
    new Counter({
      name: 'tm_kpi_late_records_total',
      help: 'Record updates dropped because their window had closed (beyond the grace), per window size.',
      labelNames: ['window'],
      registers,
      collect() {
        for (const [window, n] of Object.entries(sources.late())) {
          const delta = n - (reported[window] ?? 0);
          if (delta > 0) this.inc({ window }, delta);
          reported[window] = n;
        }
      },
    });
    new Gauge({
      name: 'tm_kpi_update_age_seconds',
      help: 'Seconds since the KPIs last changed (a flush published changed windows).',
      registers,
      collect() {
        if (view.updatedAt !== undefined) this.set(Math.max(0, (clock() - view.updatedAt) / 1000));
      },
    });
    this.flushFailures = new Counter({
      name: 'tm_kpi_state_flush_failures_total',
      help: 'Flushes of the KPI state (changelog transaction) that failed; the changes wait for the next one.',
      registers,
    });
  }
}
