/**
 * `pnpm chaos [--minutes N] [--seed S] [--per-kind K] [--kinds a,b] [--out FILE] [--keep]`: the chaos run of
 * ./harness.ts with its table printed and written to docs/RELIABILITY.md (or --out). `--kinds` narrows the faults to
 * some kinds (e.g. `kill-dialer,kafka-restart`) when one is being investigated. Exits 1 when an invariant broke or a fault did
 * not recover.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { allFaultKinds, type FaultKind } from './faults.js';
import { runChaos } from './harness.js';
import { handWrittenPart, reliabilityMarkdown } from './reliability-doc.js';
import { formatTable, passed } from './report.js';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    seed: { type: 'string', default: '1' },
    'per-kind': { type: 'string', default: '3' },
    kinds: { type: 'string' },
    out: { type: 'string' },
    keep: { type: 'boolean', default: false },
  },
});
const minutes = Number(values.minutes);
const seed = Number(values.seed);
const perKind = Number(values['per-kind']);
const known: readonly string[] = allFaultKinds();
const kinds = values.kinds === undefined ? allFaultKinds() : (values.kinds.split(',') as FaultKind[]);
const unknown = kinds.filter((k) => !known.includes(k));
if (
  !(minutes > 0) ||
  !Number.isInteger(seed) ||
  seed < 0 ||
  !(Number.isInteger(perKind) && perKind > 0) ||
  kinds.length === 0 ||
  unknown.length > 0
) {
  console.error(
    'usage: pnpm chaos [--minutes N>0] [--seed S>=0] [--per-kind K>0] [--kinds a,b] [--out FILE] [--keep]',
  );
  if (unknown.length > 0)
    console.error(`unknown fault kinds: ${unknown.join(', ')}; known: ${known.join(', ')}`);
  process.exit(2);
}
const command =
  `pnpm chaos --minutes ${minutes} --seed ${seed}${perKind !== 3 ? ` --per-kind ${perKind}` : ''}` +
  (values.kinds === undefined ? '' : ` --kinds ${kinds.join(',')}`);
const result = await runChaos({
  seed,
  durationMs: minutes * 60_000,
  perKind,
  kinds,
  keepWorkDir: values.keep,
  log: (line) => console.log(line),
});
console.log(
  `\n${formatTable(result.rows)}\n\n${result.republishedAdds} ADD(s) published again (ADR 0034); ` +
    `${result.calls.made} calls made, ${result.calls.saved} results saved through the ARM`,
);
for (const v of result.violations.slice(0, 20)) console.log(`  ${v.kind}: ${v.invariant}: ${v.key}`);
if (values.keep && result.violations.length > 0)
  console.log(`every violation: ${result.workDir}/violations.json`);
const out = values.out ?? join(import.meta.dirname, '..', '..', '..', '..', 'docs', 'RELIABILITY.md');
// The hand-written section of the file (its `## ` headings and below) is kept as it was.
const handWritten = existsSync(out) ? handWrittenPart(readFileSync(out, 'utf8')) : '';
writeFileSync(
  out,
  reliabilityMarkdown(
    result,
    { command, date: new Date(), cores: cpus().length, loadNow: loadavg() },
    handWritten,
  ),
);
console.log(`written to ${out}`);
process.exit(passed(result.rows) ? 0 : 1);
