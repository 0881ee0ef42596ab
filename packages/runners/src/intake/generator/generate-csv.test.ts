import { PassThrough, Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { type Application, formatCsvError, readCsv } from '@tm/contracts';
import { expect } from 'chai';
import { BREAKAGES } from './breakages.js';
import {
  applicationNumberFor,
  expectedCsvErrors,
  type GenerateCsvOptions,
  generateCsvRows,
  writeGeneratedCsv,
} from './generate-csv.js';
import { UNKNOWN_PRODUCT_TYPE } from './realistic-row.js';

async function generate(options: GenerateCsvOptions): Promise<string> {
  const out = new PassThrough();
  const [, written] = await Promise.all([writeGeneratedCsv(options, out), text(out)]);
  return written;
}

/** Reads generated text back through format control: the Applications and the error lines. */
async function readBack(csv: string, options: GenerateCsvOptions) {
  const applications: Application[] = [];
  const errors: string[] = [];
  const input = Readable.from([Buffer.from(csv)]);
  for await (const row of readCsv(input, {
    dataStream: 'MOBILE_LOANS',
    sourceFile: 'gen.csv',
    dialect: options.dialect,
  })) {
    if (row.ok) applications.push(row.application);
    else errors.push(...row.errors.map(formatCsvError));
  }
  return { applications, errors };
}

describe('CSV test-data generator', () => {
  it('writes the same file for the same seed, and another for another seed', async () => {
    const a = await generate({ rows: 300, seed: 42, invalidRate: 0.1 });
    expect(await generate({ rows: 300, seed: 42, invalidRate: 0.1 })).to.equal(a);
    const b = await generate({ rows: 300, seed: 43, invalidRate: 0.1 });
    expect(b).to.not.equal(a);
    expect(a.split('\n')).to.have.length(301); // 300 lines and the final line break
  });

  it('breaks exactly round(rate × rows) rows', () => {
    for (const [rows, rate, broken] of [
      [1000, 0.1, 100],
      [7, 0.5, 4],
      [1000, 0.013, 13],
      [3, 1, 3],
      [500, 0, 0],
      [0, 0.5, 0],
    ] as const) {
      expect([...expectedCsvErrors({ rows, invalidRate: rate })], `${rows} × ${rate}`).to.have.length(broken);
    }
  });

  it('breaks rows exactly as its manifest says: format control reports those errors and no other', async () => {
    const options = { rows: 2000, seed: 7, invalidRate: 0.05 };
    const { applications, errors } = await readBack(await generate(options), options);
    const expected = [...expectedCsvErrors(options)];
    expect(errors).to.deep.equal(expected.map(formatCsvError));
    expect(applications).to.have.length(1900);
    // 100 broken rows cycle through every breakage.
    expect(new Set(expected.map((e) => e.breakage))).to.have.length(BREAKAGES.length);
  });

  it('follows the stream dialect: delimiter, header row and extra columns', async () => {
    const dialect = { delimiter: ',', quote: "'", header: true, extraColumns: [11, 12] };
    const options = { rows: 300, seed: 9, invalidRate: 0.1, dialect };
    const csv = await generate(options);
    const [header, first] = csv.split('\n');
    expect(header?.split(',').slice(9, 13)).to.deep.equal([
      'scoringResult',
      'extra1',
      'extra2',
      'clientType',
    ]);
    expect(first?.split(',').slice(10, 12)).to.deep.equal(['101', '']);
    const { applications, errors } = await readBack(csv, options);
    expect(errors).to.deep.equal([...expectedCsvErrors(options)].map(formatCsvError));
    // Every tenth row is broken (rows 10, 20, … after the header); the 6th and 7th breakages change the width.
    expect(errors[5]).to.equal('61:*: row has 32 columns, expected 33');
    expect(errors[6]).to.equal('71:*: row has 34 columns, expected 33');
    expect(applications).to.have.length(270);
    expect(applications[0]?.lineNumber).to.equal(2);
  });

  it('numbers applications from seed and index: unique in a file and across seeds', () => {
    const numbers = (seed: number) => [...generateCsvRows({ rows: 1000, seed })].map((r) => r[0]);
    const all = [...numbers(1), ...numbers(11), ...numbers(110)];
    expect(new Set(all)).to.have.length(3000);
    expect(applicationNumberFor(12, 34)).to.equal('120000000034');
  });

  it('makes plausible rows that cover every value of the contract', async () => {
    const options = { rows: 3000, seed: 5 };
    const { applications, errors } = await readBack(await generate(options), options);
    expect(errors).to.deep.equal([]);
    const values = <K extends keyof Application>(key: K) => new Set(applications.map((a) => a[key]));
    expect([...values('applicationStatus')]).to.have.members(['created', 'registered', 'scored', 'canceled']);
    expect([...values('loanStatus')]).to.have.members([
      null,
      'transferred',
      'received',
      'canceled',
      'repaid',
    ]);
    expect([...values('scoringResult')]).to.have.members([null, 'approved', 'rejected']);
    expect([...values('clientType')]).to.have.members(['pioneer', 'repeater']);
    expect([...values('termUnit')]).to.have.members(['day', 'month']);
    expect([...values('graceUnit')]).to.have.members([null, 'day', 'month']);
    expect([...values('gender')]).to.have.members([null, 'M', 'F']);
    expect([...values('productType')]).to.include.members([
      'express',
      'consumer',
      'overdraft',
      'securedByCar',
      'onlineCreditTransfer',
      'webExpress',
      UNKNOWN_PRODUCT_TYPE,
      null,
    ]);
    expect([...values('citizenship')]).to.include.members([
      'KGZ',
      'UZB',
      'TJK',
      'RUS',
      'BLR',
      'UKR',
      'GEO',
      null,
    ]);
    for (const a of applications) {
      if (a.scoringResult !== null) expect(a.applicationStatus).to.equal('scored');
      expect(a.phone).to.match(/^79\d{9}$/);
      if (a.birthDate !== null) {
        const age = (a.createdAt / 86_400_000 - a.birthDate) / 365.25;
        expect(age).to.be.within(16, 80);
      }
    }
    const lastNames = applications.map((a) => a.lastName).filter((n): n is string => n !== null);
    expect(lastNames.some((n) => /^[А-ЯЁ-]+$/.test(n))).to.equal(true);
    expect(lastNames.some((n) => /^[A-Z-]+$/.test(n))).to.equal(true);
  });

  it('keeps the thesis spelling `recieved` in some rows', () => {
    const loanStatuses = [...generateCsvRows({ rows: 3000, seed: 5 })].map((r) => r[8]);
    expect(loanStatuses).to.include('recieved');
  });

  it('refuses impossible options', () => {
    expect(() => [...generateCsvRows({ rows: -1 })]).to.throw(RangeError, /rows/);
    expect(() => [...generateCsvRows({ rows: 1, seed: 1.5 })]).to.throw(RangeError, /seed/);
    expect(() => [...expectedCsvErrors({ rows: 1, invalidRate: 1.5 })]).to.throw(RangeError, /invalid rate/);
  });
});
