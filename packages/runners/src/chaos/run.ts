/**
 * `pnpm chaos [--minutes N] [--seed S] [--per-kind K] [--out FILE] [--keep]`: the chaos run of ./harness.ts with
 * its table printed and written to docs/RELIABILITY.md (or --out). Exits 1 when an invariant broke or a fault did
 * not recover.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { allFaultKinds } from './faults.js';
import { runChaos } from './harness.js';
import { handWrittenPart, reliabilityMarkdown } from './reliability-doc.js';
import { formatTable, passed } from './report.js';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    seed: { type: 'string', default: '1' },
    'per-kind': { type: 'string', default: '3' },
    out: { type: 'string' },
    keep: { type: 'boolean', default: false },
  },
});
const minutes = Number(values.minutes);
const seed = Number(values.seed);
const perKind = Number(values['per-kind']);
if (!(minutes > 0) || !Number.isInteger(seed) || seed < 0 || !(Number.isInteger(perKind) && perKind > 0)) {
  console.error('usage: pnpm chaos [--minutes N>0] [--seed S>=0] [--per-kind K>0] [--out FILE] [--keep]');
  process.exit(2);
}
const command = `pnpm chaos --minutes ${minutes} --seed ${seed}${perKind !== 3 ? ` --per-kind ${perKind}` : ''}`;
const result = await runChaos({
  seed,
  durationMs: minutes * 60_000,
  perKind,
  kinds: allFaultKinds(),
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
