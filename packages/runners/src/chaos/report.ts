import type { FaultKind } from './faults.js';
import type { Violation } from './invariants.js';

/** One injected fault and how the pipeline came back from it. */
export interface FaultRecord {
  readonly kind: FaultKind;
  /** ms after the load started. */
  readonly injectedAtMs: number;
  /** From the fault to every runner's /readyz answering 200 again; undefined when they did not within the limit. */
  readonly recoveryMs: number | undefined;
  /** Runners that exited on their own while the fault lasted (each restarted by the harness). */
  readonly exited: readonly string[];
}

export interface ReportRow {
  readonly fault: FaultKind | 'none';
  injected: number;
  lost: number;
  duplicated: number;
  stuck: number;
  /** Longest recovery in ms; undefined when no fault of the kind was injected, NaN when one did not recover. */
  longestRecoveryMs: number | undefined;
  exits: number;
}

/**
 * One row per fault kind (and one for rows that came in with no fault about): how often it was injected, the
 * violations of the applications whose files came in while it lasted, and its longest recovery.
 */
export function reportRows(
  kinds: readonly FaultKind[],
  faults: readonly FaultRecord[],
  violations: readonly Violation[],
  faultOfApplication: (applicationNumber: string) => FaultKind | undefined,
): ReportRow[] {
  const rows = new Map<FaultKind | 'none', ReportRow>();
  const row = (fault: FaultKind | 'none'): ReportRow => {
    let r = rows.get(fault);
    if (!r) {
      r = { fault, injected: 0, lost: 0, duplicated: 0, stuck: 0, longestRecoveryMs: undefined, exits: 0 };
      rows.set(fault, r);
    }
    return r;
  };
  for (const k of kinds) row(k);
  row('none');
  for (const f of faults) {
    const r = row(f.kind);
    r.injected++;
    r.exits += f.exited.length;
    const ms = f.recoveryMs ?? Number.NaN;
    r.longestRecoveryMs =
      r.longestRecoveryMs === undefined || Number.isNaN(ms) ? ms : Math.max(r.longestRecoveryMs, ms);
  }
  for (const v of violations) {
    const r = row((v.applicationNumber && faultOfApplication(v.applicationNumber)) || 'none');
    r[v.kind]++;
  }
  return [...rows.values()];
}

function seconds(ms: number | undefined): string {
  if (ms === undefined) return '–';
  if (Number.isNaN(ms)) return 'not recovered';
  return `${(ms / 1000).toFixed(1)} s`;
}

/** The rows as a Markdown table (also readable as plain text in a terminal). */
export function formatTable(rows: readonly ReportRow[]): string {
  const lines = [
    '| fault | injected | lost | duplicated | stuck | longest recovery | runner exits |',
    '|---|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of rows) {
    lines.push(
      `| ${r.fault} | ${r.injected} | ${r.lost} | ${r.duplicated} | ${r.stuck} | ${seconds(r.longestRecoveryMs)} | ${r.exits} |`,
    );
  }
  return lines.join('\n');
}

/** True when no invariant broke and every fault recovered. */
export function passed(rows: readonly ReportRow[]): boolean {
  return rows.every(
    (r) =>
      r.lost === 0 &&
      r.duplicated === 0 &&
      r.stuck === 0 &&
      (r.longestRecoveryMs === undefined || !Number.isNaN(r.longestRecoveryMs)),
  );
}
