import { fetchJson } from '../shared/fetch-json.js';

/**
 * The KPI API of `tm run kpi` as the dashboard reads it. The server's response schemas are in
 * packages/runners/src/kpi/kpi-http.ts; the browser test checks the two agree.
 */

export type WindowSize = 'minute' | 'hour' | 'day';

export interface KpiTotals {
  start: string;
  end: string;
  counters: Record<string, number>;
  answerRate: number | null;
  averageTalkSeconds: number | null;
  averageHandleSeconds: number | null;
  savedInTimeShare: number | null;
  conversionRate: number | null;
  repeatContactShare: number | null;
}

export interface Gauges {
  tasks: { waiting: number; queued: number; calling: number };
  draftsWaiting: number;
  oldestDraftAgeSeconds: number | null;
  operators: { loggedIn: number; ready: number; onBreak: number };
}

export interface OperatorRow {
  operatorId: string;
  calls: number;
  answered: number;
  talkSeconds: number;
  averageHandleSeconds: number | null;
  results: number;
  conversions: number;
  callsThisHour: number;
}

export interface Snapshot {
  generatedAt: string;
  updatedAt: string | null;
  streamTime: string | null;
  utcOffsetHours: number;
  filter: { campaign: string | null; stream: string | null };
  dimensions: { campaigns: string[]; streams: string[] };
  today: KpiTotals;
  thisHour: KpiTotals;
  gauges: Gauges;
  operators: OperatorRow[];
  lateRecords: Record<WindowSize, number>;
}

export interface Series {
  size: WindowSize;
  starts: number[];
  values: Record<string, number[]>;
}

export interface Filter {
  campaign: string;
  stream: string;
}

const query = (params: Record<string, string | number | undefined>) =>
  new URLSearchParams(
    Object.entries(params)
      .filter(([, v]) => v !== undefined && v !== '')
      .map(([k, v]) => [k, String(v)]),
  ).toString();

/** The API lives beside the page: `<base>/api/kpi/v1/...`, whatever path the runner serves the page under. */
const API = new URL('../api/kpi/v1/', window.location.href).pathname;

export function loadSnapshot(filter: Filter): Promise<Snapshot> {
  return fetchJson(`${API}snapshot?${query({ campaign: filter.campaign, stream: filter.stream })}`);
}

export function loadSeries(
  size: WindowSize,
  count: number,
  measures: readonly string[],
  filter: Filter,
): Promise<Series> {
  return fetchJson(
    `${API}series?${query({ size, count, measures: measures.join(','), campaign: filter.campaign, stream: filter.stream })}`,
  );
}
