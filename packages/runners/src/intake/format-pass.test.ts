import { appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Application, CsvReadError } from '@tm/contracts';
import { expect } from 'chai';
import { contractSerdes } from '../runtime/serdes.js';
import { type CheckedBatch, type CheckSummary, checkFile, unpack } from './format-pass.js';
import { type IntakeFolders, intakeFolders, writeCsv } from './testing/intake-fixtures.js';

interface Pass {
  readonly records: Array<[number, string, string]>;
  readonly errors: string[];
  readonly rows: number;
  readonly lastBytes: number;
  readonly summary: CheckSummary;
}

/** Everything a format pass yields; values by their length, since `receivedAt` (read per row) differs between runs. */
async function drain(batches: AsyncGenerator<CheckedBatch, CheckSummary>): Promise<Pass> {
  const records: Array<[number, string, string]> = [];
  const errors: string[] = [];
  let rows = 0;
  let lastBytes = 0;
  for (;;) {
    const next = await batches.next();
    if (next.done) return { records, errors, rows, lastBytes, summary: next.value };
    rows += next.value.rows;
    lastBytes = next.value.bytes;
    errors.push(...next.value.errors);
    for (const [line, key, value] of unpack(next.value.records))
      records.push([line, key, value.length.toString()]);
  }
}

describe('format pass (checkFile)', function () {
  this.timeout(60_000);
  let folders: IntakeFolders;
  beforeEach(async () => {
    folders = await intakeFolders();
  });
  afterEach(() => folders.cleanup());

  const options = (inWorker: boolean) => ({ dataStream: 'MOBILE_LOANS', sourceFile: 'f.csv', inWorker });

  it('yields the same records, errors and summary in a worker thread as in this one', async () => {
    const good = join(folders.base, 'good.csv');
    await writeCsv(good, { rows: 3000, seed: 50 });
    const here = await drain(checkFile(good, options(false)));
    const there = await drain(checkFile(good, options(true)));
    expect(there).to.deep.equal(here);
    expect(here.records).to.have.length(3000);
    expect(here.summary).to.include({ rows: 3000, errors: 0, lastLine: 3000 });
    expect(here.summary.sha256).to.match(/^[0-9a-f]{64}$/);
  });

  it('encodes behind the header it is given (a registered Confluent id), in both threads', async () => {
    const good = join(folders.base, 'good.csv');
    await writeCsv(good, { rows: 500, seed: 52 });
    const confluent = Buffer.from([0, 0, 0, 0, 7]);
    const type = contractSerdes().application.schema;
    for (const inWorker of [false, true]) {
      const batches = checkFile(good, { ...options(inWorker), avroHeader: confluent });
      let rows = 0;
      for (let next = await batches.next(); !next.done; next = await batches.next()) {
        for (const [, key, value] of unpack(next.value.records)) {
          expect(value.subarray(0, 5), `row ${rows} in a worker: ${inWorker}`).to.deep.equal(confluent);
          expect((type.fromBuffer(value.subarray(5)) as Application).applicationNumber).to.equal(key);
          rows += 1;
        }
      }
      expect(rows).to.equal(500);
    }
  });

  it('stops encoding at the first bad row but reports every error, in both threads', async () => {
    const bad = join(folders.base, 'bad.csv');
    await writeCsv(bad, { rows: 3000, seed: 51 });
    await appendFile(bad, `${'x;'.repeat(29)}x\n`);
    const here = await drain(checkFile(bad, options(false)));
    const there = await drain(checkFile(bad, options(true)));
    expect(there).to.deep.equal(here);
    expect(here.errors[0]).to.match(/^3001:/);
    expect(here.summary).to.include({ rows: 3001, errors: 1 });
    // rows before the bad one were encoded; none after it
    expect(here.records.every(([line]) => line < 3001)).to.equal(true);
  });

  it('throws CsvReadError from the worker for a file it cannot read', async () => {
    const error = await drain(checkFile(join(folders.base, 'missing.csv'), options(true))).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(CsvReadError);
    expect((error as Error).message).to.include('f.csv');
  });

  it('stops the worker when the reader stops early', async () => {
    const file = join(folders.base, 'long.csv');
    await writeCsv(file, { rows: 20_000, seed: 53 });
    const batches = checkFile(file, options(true));
    const first = await batches.next();
    expect(first.done).to.equal(false);
    const ended = await batches.return(undefined as never);
    expect(ended.done).to.equal(true);
  });
});
