/**
 * The KPI API of `tm run kpi` as the dashboard reads it. The DTO types are the stage's own TypeBox schemas
 * (packages/runners/src/kpi/kpi-schemas.ts), imported as types only: esbuild erases the import, so the bundle holds
 * none of the server's code, and a change to a DTO fails `pnpm typecheck` here (as the operator page does, ADR 0115).
 */
import type {
  Gauges,
  KpiTotals,
  OperatorRow,
  KpiSeries as Series,
  Snapshot,
  WindowSize,
} from '../../../runners/src/kpi/kpi-schemas.js';
import { fetchJson } from '../shared/fetch-json.js';

export type { Gauges, KpiTotals, OperatorRow, Series, Snapshot, WindowSize };

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
