import { createWriteStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { expect } from 'chai';
import { writeGeneratedCsv } from '../intake/generator/index.js';
import { runTm } from '../intake/testing/run-tm.js';
import { genCsv } from './gen-csv.js';
import { validateCsv } from './validate-csv.js';

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

async function run(file: string, options: { stream?: string; config?: string } = {}) {
  const stdout = new Capture();
  const stderr = new Capture();
  const code = await validateCsv(file, options, { stdout, stderr });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

describe('tm validate-csv', () => {
  let dir: string;
  let good: string;
  let bad: string;
  const manifest = () => readFileSync(join(dir, 'bad.manifest'), 'utf8');

  before(async function () {
    this.timeout(30_000);
    dir = mkdtempSync(join(tmpdir(), 'tm-validate-csv-'));
    good = join(dir, 'good.csv');
    bad = join(dir, 'bad.csv');
    await writeGeneratedCsv({ rows: 200, seed: 3 }, createWriteStream(good));
    const quiet = { stdout: new Capture(), stderr: new Capture() };
    const options = { rows: 200, stream: 'MOBILE_LOANS', seed: 3, invalidRate: 0.1 };
    expect(await genCsv({ ...options, out: bad, manifest: join(dir, 'bad.manifest') }, quiet)).to.equal(0);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('exits 0 for a file that passes, with nothing on stdout and a summary on stderr', async () => {
    expect(await run(good)).to.deep.equal({
      code: 0,
      stdout: '',
      stderr: `${good}: passed format control, 200 rows\n`,
    });
  });

  it('exits 1 for a file that fails: one LINE:COLUMN: field reason line per error, then a summary', async () => {
    const result = await run(bad, { stream: 'MOBILE_LOANS' });
    expect(result.code).to.equal(1);
    expect(result.stdout).to.equal(manifest());
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines).to.have.length(20);
    expect(lines[0]).to.equal('10:2.2: phone must be 11 digits starting with 7');
    for (const line of lines) expect(line).to.match(/^\d+:(\d\.\d+|\*): [a-zA-Z]+ \S/);
    expect(result.stderr).to.equal(`${bad}: failed format control, 20 errors in 20 of 200 rows\n`);
  });

  it('passes a file with no rows but says so (empty, or a BOM alone)', async () => {
    for (const [name, bytes] of [
      ['empty.csv', ''],
      ['bom.csv', '\uFEFF\n\n'],
    ] as const) {
      const file = join(dir, name);
      writeFileSync(file, bytes);
      const result = await run(file);
      expect(result.code, name).to.equal(0);
      expect(result.stderr, name).to.equal(
        `${file}: passed format control, 0 rows (note: the file holds no rows: empty, or only a BOM or blank lines)\n`,
      );
    }
  });

  it('exits 2 when the file cannot be read', async () => {
    const result = await run(join(dir, 'missing.csv'));
    expect(result.code).to.equal(2);
    expect(result.stderr).to.match(/^tm validate-csv: cannot read missing\.csv: ENOENT/);
  });

  it('exits 2 for an unknown stream, naming the known ones', async () => {
    const result = await run(good, { stream: 'NOPE' });
    expect(result).to.include({ code: 2, stdout: '' });
    expect(result.stderr).to.equal(
      'tm validate-csv: unknown stream NOPE; the config knows MOBILE_LOANS, POS_REJECT\n',
    );
  });

  it("reads the file in the stream's dialect from --config", async () => {
    const config = readFileSync(
      join(import.meta.dirname, '..', '..', '..', '..', 'config', 'pipeline.yaml'),
      'utf8',
    )
      .replace(/^csv-events-base-folder: .*$/m, `csv-events-base-folder: ${dir}`)
      .replace(
        '    - name: POS_REJECT\n',
        '    - name: POS_REJECT\n      csv: { delimiter: ",", header: true, extra-columns: [11, 12] }\n',
      );
    const configFile = join(dir, 'pipeline.yaml');
    writeFileSync(configFile, config);
    const file = join(dir, 'pos.csv');
    const quiet = { stdout: new Capture(), stderr: new Capture() };
    await genCsv(
      { rows: 50, stream: 'POS_REJECT', seed: 1, invalidRate: 0, out: file, config: configFile },
      quiet,
    );
    expect(readFileSync(file, 'utf8').split('\n')[0]).to.match(/^applicationNumber,createdDate,/);
    expect((await run(file, { stream: 'POS_REJECT', config: configFile })).code).to.equal(0);
    expect((await run(file, { stream: 'MOBILE_LOANS', config: configFile })).code).to.equal(1);
  });

  describe('as a child process', function () {
    this.timeout(60_000);

    it('exits 1 and prints the error lines of a failing file', async () => {
      const result = await runTm(['validate-csv', bad, '--stream', 'MOBILE_LOANS']);
      expect(result.code).to.equal(1);
      expect(result.stdout).to.equal(manifest());
      expect(result.stderr).to.contain('failed format control, 20 errors in 20 of 200 rows');
    });

    it('exits 0 for a passing file and 2 for wrong arguments', async () => {
      expect((await runTm(['validate-csv', good])).code).to.equal(0);
      const missingArgument = await runTm(['validate-csv']);
      expect(missingArgument.code).to.equal(2);
      expect(missingArgument.stderr).to.contain("missing required argument 'file'");
      expect((await runTm(['validate-csv', good, '--no-such-option'])).code).to.equal(2);
    });
  });
});
