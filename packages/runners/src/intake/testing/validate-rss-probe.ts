/**
 * Child process of the memory test: validates the CSV file given as argument and prints, as JSON, the RSS before,
 * the highest RSS seen while validating (sampled every 20 ms) and the RSS after, with the row count.
 */
import { validateCsvFile } from '@tm/contracts';

const file = process.argv[2];
if (!file) throw new Error('usage: validate-rss-probe.ts FILE');
const before = process.memoryUsage().rss;
let peak = before;
const sampler = setInterval(() => {
  peak = Math.max(peak, process.memoryUsage().rss);
}, 20);
const summary = await validateCsvFile(file, { dataStream: 'MOBILE_LOANS' });
clearInterval(sampler);
const after = process.memoryUsage().rss;
console.log(JSON.stringify({ before, peak: Math.max(peak, after), after, rows: summary.rows }));
