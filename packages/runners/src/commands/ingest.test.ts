import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { expect } from 'chai';
import {
  type IntakeFolders,
  intakeConfigYaml,
  intakeFolders,
  namesIn,
  writeCsv,
} from '../intake/testing/intake-fixtures.js';
import { ingest } from './ingest.js';

function output() {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d: Buffer) => {
    out += d.toString();
  });
  stderr.on('data', (d: Buffer) => {
    err += d.toString();
  });
  return { streams: { stdout, stderr }, text: () => ({ out, err }) };
}

describe('tm ingest (memory transport)', () => {
  let folders: IntakeFolders;
  let config: string;

  beforeEach(async () => {
    folders = await intakeFolders();
    config = join(folders.base, 'pipeline.yaml');
    await writeFile(
      config,
      intakeConfigYaml(folders, { topic: 'in', ledgerTopic: 'ledger', transport: 'memory' }),
    );
  });
  afterEach(() => folders.cleanup());

  it('imports one file from anywhere into its stream: exit 0, a summary, the file in success/', async () => {
    const file = join(folders.base, 'upload.csv');
    await writeCsv(file, { rows: 12, seed: 1 });
    const o = output();
    expect(await ingest(file, { stream: 'POS_REJECT', config, progress: false }, o.streams)).to.equal(0);
    expect(o.text().out).to.match(
      /^upload\.csv: 12 rows, 12 published, \d+ rows\/s \(format control and publishing in one pass, one transaction\); moved to .*pos_reject\/success\/upload\.csv\n$/,
    );
    expect(await namesIn(join(folders.posReject, 'success'))).to.deep.equal(['upload.csv']);
  });

  it('exits 1 for a file format control refuses, naming its report', async () => {
    const file = join(folders.mobileLoans, 'bad.csv');
    await writeCsv(file, { rows: 10, seed: 2, invalidRate: 0.2 });
    const o = output();
    expect(await ingest(file, { stream: 'MOBILE_LOANS', config, progress: false }, o.streams)).to.equal(1);
    expect(o.text().out).to.match(
      /^bad\.csv: refused by format control, 2 errors in 10 rows; moved to .*error\/bad\.csv \(report .*error\/bad\.csv\.errors\.txt\)\n$/,
    );
  });

  it('exits 2 for an unknown stream, a missing file and an unusable config', async () => {
    const file = join(folders.base, 'x.csv');
    await writeCsv(file, { rows: 1, seed: 3 });
    let o = output();
    expect(await ingest(file, { stream: 'NOPE', config, progress: false }, o.streams)).to.equal(2);
    expect(o.text().err).to.equal(
      'tm ingest: unknown stream NOPE; the config knows MOBILE_LOANS, POS_REJECT\n',
    );
    o = output();
    expect(
      await ingest(
        join(folders.base, 'missing.csv'),
        { stream: 'MOBILE_LOANS', config, progress: false },
        o.streams,
      ),
    ).to.equal(2);
    expect(o.text().err).to.match(/^tm ingest: ENOENT/);
    o = output();
    expect(
      await ingest(
        file,
        { stream: 'MOBILE_LOANS', config: join(folders.base, 'none.yaml'), progress: false },
        o.streams,
      ),
    ).to.equal(2);
    expect(o.text().err).to.match(/^tm ingest: .*none\.yaml/);
  });
});
