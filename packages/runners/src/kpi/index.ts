/**
 * The live KPI stage (issue 14, seed 004): {@link createKpiService} builds it — one stage over every topic,
 * pipeline-core's windowAggregate per minute, hour and day, join tables in the same changelogged state — and
 * {@link buildKpiHttp} serves its JSON API and the dashboard.
 */
export { KpiFacts, type KpiFactsOptions, type KpiGauges, type TaskGauges } from './kpi-facts.js';
export { buildKpiHttp, webDistDir } from './kpi-http.js';
export { decodeByTopic, eventTimeOf, factsOf, type KpiInput, kpiDecoders } from './kpi-input.js';
export { addCounters, type Counters, campaignKey, type KpiFact, operatorKey, parseKey } from './kpi-keys.js';
export { KpiMetrics } from './kpi-metrics.js';
export { kpiEvents, kpiRecords, phoneOf, workingDay } from './kpi-sample-events.js';
export {
  type Gauges,
  GaugesDto,
  type KpiSeries,
  KpiSeriesDto,
  type KpiTotals,
  KpiTotalsDto,
  type OperatorRow,
  type Snapshot,
  SnapshotDto,
  WINDOW_SIZES,
  type WindowSize,
} from './kpi-schemas.js';
export { createKpiService, type KpiService, type KpiServiceOptions } from './kpi-service.js';
export { gaugesDto, type KpiFilter, KpiView, totalsOf } from './kpi-view.js';
