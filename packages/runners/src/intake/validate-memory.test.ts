import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { writeGeneratedCsv } from './generator/index.js';
import { runTypeScript } from './testing/run-tm.js';

const MB = 1024 * 1024;

describe('format control memory', function () {
  // Generates and validates 200,000 rows (tens of seconds on a busy 2-core machine); not a timing assertion.
  this.timeout(300_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'tm-rss-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('validates a 200,000-row file with RSS growth under 100 MB (it streams, never collects the file)', async () => {
    const file = join(dir, 'big.csv');
    await writeGeneratedCsv({ rows: 200_000, seed: 11, invalidRate: 0.01 }, createWriteStream(file));
    expect(statSync(file).size).to.be.greaterThan(40 * MB);
    const result = await runTypeScript(join(import.meta.dirname, 'testing', 'validate-rss-probe.ts'), [file]);
    expect(result.code, result.stderr).to.equal(0);
    const { before, peak, rows } = JSON.parse(result.stdout) as {
      before: number;
      peak: number;
      rows: number;
    };
    expect(rows).to.equal(200_000);
    expect((peak - before) / MB).to.be.lessThan(100);
  });
});
