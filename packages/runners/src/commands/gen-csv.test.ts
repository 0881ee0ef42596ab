import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { runTm } from '../intake/testing/run-tm.js';

describe('tm gen-csv', function () {
  this.timeout(60_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'tm-gen-csv-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('writes to stdout without --out, the same bytes as to a file, with a manifest of the broken rows', async () => {
    const args = [
      'gen-csv',
      '--rows',
      '70',
      '--stream',
      'MOBILE_LOANS',
      '--seed',
      '9',
      '--invalid-rate',
      '0.2',
    ];
    const toStdout = await runTm(args);
    expect(toStdout.code).to.equal(0);
    const out = join(dir, 'out.csv');
    const manifest = join(dir, 'out.manifest');
    const toFile = await runTm([...args, '--out', out, '--manifest', manifest]);
    expect(toFile).to.include({ code: 0, stdout: '' });
    expect(toFile.stderr).to.equal(`tm gen-csv: 70 rows for MOBILE_LOANS (seed 9, 14 broken) to ${out}\n`);
    expect(readFileSync(out, 'utf8')).to.equal(toStdout.stdout);
    expect(toStdout.stdout.split('\n')).to.have.length(71);
    const expected = readFileSync(manifest, 'utf8').trimEnd().split('\n');
    expect(expected).to.have.length(14);
    expect(expected[0]).to.equal('5:2.2: phone must be 11 digits starting with 7');
  });

  it('exits 2 for wrong arguments and an unknown stream', async () => {
    expect((await runTm(['gen-csv', '--stream', 'MOBILE_LOANS'])).code).to.equal(2);
    expect(
      (await runTm(['gen-csv', '--rows', '5', '--stream', 'MOBILE_LOANS', '--invalid-rate', '1.5'])).code,
    ).to.equal(2);
    const unknown = await runTm(['gen-csv', '--rows', '5', '--stream', 'NOPE']);
    expect(unknown.code).to.equal(2);
    expect(unknown.stderr).to.contain('unknown stream NOPE; the config knows MOBILE_LOANS, POS_REJECT');
  });
});
