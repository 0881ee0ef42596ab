/**
 * `pnpm bench [suite ...]`: measures the targets of DESIGN.md §6 and writes bench/results.json and
 * docs/BENCHMARKS.md. With no suite named, runs them all. Suites: core, analyser, campaign, intake, e2e, arm, kpi, dialer.
 */

import { type BenchResult, machineDescription, saveResults } from './results.js';
import { analyserSuite } from './suites/analyser.js';
import { armSuite } from './suites/arm.js';
import { campaignSuite } from './suites/campaign.js';
import { coreSuite } from './suites/core.js';
import { dialerSuite } from './suites/dialer.js';
import { e2eSuite } from './suites/e2e.js';
import { intakeSuite } from './suites/intake.js';
import { kpiSuite } from './suites/kpi.js';

type Suite = () => Promise<Omit<BenchResult, 'suite' | 'measuredAt'>[]>;

const suites: Record<string, Suite> = {
  core: coreSuite,
  analyser: analyserSuite,
  campaign: campaignSuite,
  intake: intakeSuite,
  e2e: e2eSuite,
  arm: armSuite,
  kpi: kpiSuite,
  dialer: dialerSuite,
};

const requested = process.argv.slice(2).filter((a) => a !== '--');
const unknown = requested.filter((name) => !(name in suites));
if (unknown.length > 0) {
  console.error(`unknown suite(s): ${unknown.join(', ')}; known: ${Object.keys(suites).join(', ')}`);
  process.exit(2);
}
const names = requested.length > 0 ? requested : Object.keys(suites);
const fresh: BenchResult[] = [];
for (const name of names) {
  console.error(`bench: ${name} ...`);
  const measuredAt = new Date().toISOString();
  for (const result of await (suites[name] as Suite)()) {
    fresh.push({ ...result, suite: name, measuredAt });
    const verdict =
      result.pass === null ? '' : result.pass ? ' (target met)' : ` (target ${result.target} NOT met)`;
    console.log(`${result.name}: ${result.value.toLocaleString('en-US')} ${result.unit}${verdict}`);
  }
}
saveResults(fresh, machineDescription());
console.error('bench: wrote bench/results.json and docs/BENCHMARKS.md');
process.exit(0);
