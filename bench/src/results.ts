import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';

export const repoRoot = join(import.meta.dirname, '..', '..');
const resultsFile = join(repoRoot, 'bench', 'results.json');
const reportFile = join(repoRoot, 'docs', 'BENCHMARKS.md');
/** `bench/notes/<suite>.md`, when present, is printed under its suite's table (repeated runs, their spread). */
const notesFile = (suite: string) => join(repoRoot, 'bench', 'notes', `${suite}.md`);

/** One measured figure. `target` is a human-readable bound (e.g. ">= 200000"); `pass` says whether it held. */
export interface BenchResult {
  name: string;
  value: number;
  unit: string;
  target: string | null;
  pass: boolean | null;
  suite: string;
  notes?: string;
  measuredAt: string;
}

/** Seconds since `startedAt` (a `process.hrtime.bigint()` reading). */
export function secondsSince(startedAt: bigint): number {
  return Number(process.hrtime.bigint() - startedAt) / 1e9;
}

/** A result against a bound: `holds` says whether `value` is on the right side of it. */
function bounded(
  sign: '>=' | '<=',
  holds: (value: number, bound: number) => boolean,
): (
  name: string,
  value: number,
  unit: string,
  bound: number,
  notes?: string,
) => Omit<BenchResult, 'suite' | 'measuredAt'> {
  return (name, value, unit, bound, notes) => ({
    name,
    value: round(value),
    unit,
    target: `${sign} ${bound}`,
    pass: holds(value, bound),
    ...(notes ? { notes } : {}),
  });
}

/** A result against a lower bound: `atLeast(name, value, unit, min, notes?)`. */
export const atLeast = bounded('>=', (value, min) => value >= min);

/** A result against an upper bound: `atMost(name, value, unit, max, notes?)`. */
export const atMost = bounded('<=', (value, max) => value <= max);

/** A figure reported for comparison, with no target of its own. */
export function reported(
  name: string,
  value: number,
  unit: string,
  notes?: string,
): Omit<BenchResult, 'suite' | 'measuredAt'> {
  return { name, value: round(value), unit, target: null, pass: null, ...(notes ? { notes } : {}) };
}

function round(value: number): number {
  return value >= 100 ? Math.round(value) : Math.round(value * 100) / 100;
}

export function readResults(): BenchResult[] {
  try {
    return JSON.parse(readFileSync(resultsFile, 'utf8')) as BenchResult[];
  } catch {
    return [];
  }
}

/** Replaces the results of the suites just run, keeps the others, and regenerates docs/BENCHMARKS.md. */
export function saveResults(fresh: BenchResult[], machine: string): void {
  const suites = new Set(fresh.map((r) => r.suite));
  const all = [...readResults().filter((r) => !suites.has(r.suite)), ...fresh];
  writeFileSync(resultsFile, `${JSON.stringify(all, null, 2)}\n`);
  writeFileSync(reportFile, renderReport(all, machine));
}

export function machineDescription(): string {
  const cpu = cpus();
  return `${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB RAM, Node ${process.version}, ${process.platform}`;
}

function renderReport(results: BenchResult[], machine: string): string {
  const bySuite = new Map<string, BenchResult[]>();
  for (const r of results) bySuite.set(r.suite, [...(bySuite.get(r.suite) ?? []), r]);
  const lines = [
    '# Benchmarks',
    '',
    'Measured by `pnpm bench` on the real path (real Kafka broker, real PostgreSQL, simulators as their own HTTP',
    'process where the design says so). This file is generated from `bench/results.json`; do not edit it by hand.',
    'Reproduce everything with `pnpm bench`, or one suite with `pnpm bench <suite>` (suites below).',
    '',
    `Last machine: ${machine}.`,
    '',
  ];
  for (const [suite, rows] of bySuite) {
    lines.push(
      `## ${suite}`,
      '',
      `Command: \`pnpm bench ${suite}\` · measured ${rows[0]?.measuredAt.slice(0, 16).replace('T', ' ')} UTC`,
      '',
    );
    lines.push('| name | value | unit | target | pass | notes |', '|---|---:|---|---|---|---|');
    for (const r of rows) {
      const pass = r.pass === null ? '—' : r.pass ? 'yes' : '**no**';
      lines.push(
        `| ${r.name} | ${r.value.toLocaleString('en-US')} | ${r.unit} | ${r.target ?? '—'} | ${pass} | ${r.notes ?? ''} |`,
      );
    }
    lines.push('');
    if (existsSync(notesFile(suite))) lines.push(readFileSync(notesFile(suite), 'utf8').trimEnd(), '');
  }
  return `${lines.join('\n')}\n`;
}
