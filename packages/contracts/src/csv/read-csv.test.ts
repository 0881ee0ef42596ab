import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { expect } from 'chai';
import { CsvReadError, formatCsvError } from './errors.js';
import { type CsvReadOptions, readCsv, readCsvFile } from './read-csv.js';
import { validateCsvFile } from './validate-file.js';
import type { RowResult } from './validate-row.js';

/** A valid row; `n` becomes the application number, `name` the last name (2.7). */
function row(n: number, name = 'ИВАНОВ', sep = ';'): string {
  return [
    String(n),
    '07.10.2023',
    '10:57:25',
    '07.10.2023',
    '11:09:03',
    'created',
    '',
    '',
    '',
    '',
    'pioneer',
    '79529320067',
    '',
    'KGZ',
    '',
    '',
    name,
    'ИВАН',
    '',
    '',
    'M',
    '',
    '',
    '',
    '25000',
    '',
    'express',
    '63',
    'day',
    '',
    '',
  ].join(sep);
}

const options: CsvReadOptions & { sourceFile: string } = {
  dataStream: 'MOBILE_LOANS',
  sourceFile: 'test.csv',
  clock: () => Date.UTC(2024, 0, 1),
};

async function read(text: string | Buffer, extra: Partial<CsvReadOptions> = {}): Promise<RowResult[]> {
  const items: RowResult[] = [];
  const input = Readable.from([typeof text === 'string' ? Buffer.from(text) : text]);
  for await (const item of readCsv(input, { ...options, ...extra })) items.push(item);
  return items;
}

/** Text as Windows-1251 bytes (ASCII and Russian letters only, as the test rows hold). */
function windows1251(text: string): Buffer {
  return Buffer.from(
    [...text].map((ch) => {
      const c = ch.codePointAt(0) as number;
      if (c < 0x80) return c;
      if (c >= 0x410 && c <= 0x44f) return c - 0x410 + 0xc0;
      if (c === 0x401) return 0xa8;
      if (c === 0x451) return 0xb8;
      throw new Error(`no Windows-1251 byte for ${ch}`);
    }),
  );
}

/** `line:applicationNumber` for good rows, the formatted errors for bad ones. */
function summary(items: readonly RowResult[]): string[] {
  return items.flatMap((i) =>
    i.ok ? [`${i.line}:${i.application.applicationNumber}`] : i.errors.map(formatCsvError),
  );
}

describe('readCsv (CSV files of thesis Appendix A)', () => {
  it('reads LF files row by row, with line numbers', async () => {
    expect(summary(await read(`${row(1)}\n${row(2)}\n`))).to.deep.equal(['1:1', '2:2']);
  });

  it('reads CRLF files, a file without a final line break, and a UTF-8 BOM', async () => {
    expect(summary(await read(`\uFEFF${row(1)}\r\n${row(2)}`))).to.deep.equal(['1:1', '2:2']);
    const items = await read(`\uFEFF${row(1)}\r\n`);
    expect(items[0]?.ok && items[0].application.applicationNumber).to.equal('1');
  });

  it('skips blank lines (empty or spaces only) but counts them in line numbers', async () => {
    const text = `\n${row(1)}\n\n   \n${row(2)}\r\n\r\n${row(3)}\n\n`;
    expect(summary(await read(text))).to.deep.equal(['2:1', '5:2', '7:3']);
  });

  it('reads quoted fields holding the delimiter, doubled quotes and line breaks, and counts those lines', async () => {
    const text = [
      row(1, '"ИВАНОВ; СЫН"'),
      row(2, '"О""БРАЙЕН"'),
      row(3, '"ДВЕ\nСТРОКИ"'),
      row(4, '"CRLF\r\nВНУТРИ\r\nПОЛЯ"'),
      row(5, 'X'),
      row(6, '"x"').replace('79529320067', '7952932006'),
    ].join('\r\n');
    const items = await read(text);
    expect(summary(items)).to.deep.equal([
      '1:1',
      '2:2',
      '3:3',
      '5:4',
      '8:5',
      '9:2.2: phone must be 11 digits starting with 7',
    ]);
    const names = items.map((i) => (i.ok ? i.application.lastName : null));
    expect(names.slice(0, 4)).to.deep.equal([
      'ИВАНОВ; СЫН',
      'О"БРАЙЕН',
      'ДВЕ\nСТРОКИ',
      'CRLF\r\nВНУТРИ\r\nПОЛЯ',
    ]);
  });

  it('refuses rows of 30 and 32 columns with a row-level error, and goes on reading', async () => {
    const short = row(2).split(';').slice(0, 30).join(';');
    const text = `${row(1)}\n${short}\n${row(3)};\n${row(4)}\n`;
    expect(summary(await read(text))).to.deep.equal([
      '1:1',
      '2:*: row has 30 columns, expected 31',
      '3:*: row has 32 columns, expected 31',
      '4:4',
    ]);
  });

  it('reports a quoted field that never closes at the line where its row starts, without quoting the text', async () => {
    const text = `${row(1)}\n\n${row(2, '"НЕЗАКРЫТО')}\n${row(3)}\n`;
    expect(summary(await read(text))).to.deep.equal([
      '1:1',
      '3:*: row has a quoted field that is never closed',
    ]);
  });

  it('reports text after a closing quote at its line, after every good row of the same chunk', async () => {
    const good = Array.from({ length: 50 }, (_, i) => row(i + 1)).join('\r\n');
    const text = `${good}\r\n\r\n${row(51, '"ОДИН"ДВА')}\r\n${row(52)}\r\n`;
    const found = summary(await read(text));
    expect(found).to.have.length(51);
    expect(found[49]).to.equal('50:50');
    expect(found[50]).to.equal('52:*: row has text after a closing quote');
  });

  it('keeps line numbers exact when a chunk ends inside a row or a character', async () => {
    const text = Buffer.from(`${row(1, 'ЖЁЛУДЕВ')}\n\n${row(2, '"А\nБ"')}\n${row(3)}\n`);
    const chunks = [];
    for (let i = 0; i < text.length; i += 7) chunks.push(text.subarray(i, i + 7));
    const items: RowResult[] = [];
    for await (const item of readCsv(Readable.from(chunks), options)) items.push(item);
    expect(summary(items)).to.deep.equal(['1:1', '3:2', '5:3']);
    expect(items[0]?.ok && items[0].application.lastName).to.equal('ЖЁЛУДЕВ');
  });

  it('reads a Windows-1251 file of a stream configured for it, with the Cyrillic intact', async () => {
    const bytes = windows1251(`${row(1, 'ЁЛКИН')}\n${row(2, 'ЩУКИНА')}\n`);
    const items = await read(bytes, { dialect: { encoding: 'windows-1251' } });
    expect(summary(items)).to.deep.equal(['1:1', '2:2']);
    expect(items.map((i) => (i.ok ? [i.application.lastName, i.application.firstName] : null))).to.deep.equal(
      [
        ['ЁЛКИН', 'ИВАН'],
        ['ЩУКИНА', 'ИВАН'],
      ],
    );
  });

  it('refuses the same file on a UTF-8 stream, naming the encoding it looks like', async () => {
    const bytes = windows1251(`${row(1, 'ЁЛКИН')}\n`);
    expect(summary(await read(bytes))).to.deep.equal([
      '1:*: row is not valid UTF-8 text: the file looks like Windows-1251 (set csv.encoding: windows-1251 on its data stream)',
    ]);
  });

  it('refuses a row that is not valid UTF-8', async () => {
    const bad = Buffer.concat([
      Buffer.from(`${row(1)}\n`),
      Buffer.from(row(2, 'X')).subarray(0, 60),
      Buffer.from([0xff, 0xfe]),
      Buffer.from(`\n${row(3)}\n`),
    ]);
    expect(summary(await read(bad))).to.deep.equal(['1:1', '2:*: row is not valid UTF-8 text', '3:3']);
  });

  it('follows the stream dialect: delimiter, quote, header row and extra columns', async () => {
    const withExtra = (n: number) => {
      const cells = row(n, "'ОДИН, ДВА'").split(';');
      return [...cells.slice(0, 10), '101', '', ...cells.slice(10)].join(',');
    };
    const text = `header,line\n${withExtra(1)}\n${withExtra(2)}\n`;
    const dialect = { delimiter: ',', quote: "'", header: true, extraColumns: [11, 12] };
    const items = await read(text, { dialect });
    expect(summary(items)).to.deep.equal(['2:1', '3:2']);
    expect(items[0]?.ok && items[0].application).to.include({ lastName: 'ОДИН, ДВА', clientType: 'pioneer' });
  });

  it('fills in the stream, file name, line and receivedAt of each Application', async () => {
    const [item] = await read(`\n${row(9)}\n`);
    expect(item?.ok && item.application).to.include({
      dataStream: 'MOBILE_LOANS',
      sourceFile: 'test.csv',
      lineNumber: 2,
      receivedAt: Date.UTC(2024, 0, 1),
    });
  });

  describe('files', () => {
    let dir: string;
    before(() => {
      dir = mkdtempSync(join(tmpdir(), 'tm-csv-'));
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    it('names the file as sourceFile and counts a whole file with validateCsvFile', async () => {
      const file = join(dir, 'apps_2024.csv');
      writeFileSync(
        file,
        `${row(1)}\n${row(2).replace('created', 'approved')}\n\n${row(3).replace('10:57:25', '24:00:00').replace('pioneer', 'x')}\n`,
      );
      const seen: string[] = [];
      const result = await validateCsvFile(file, { dataStream: 'POS_REJECT' }, (e) => {
        seen.push(formatCsvError(e));
      });
      expect(result).to.deep.equal({ rows: 3, invalidRows: 2, errors: 3, passed: false });
      expect(seen).to.deep.equal([
        '2:1.6: applicationStatus must be one of created, registered, scored, canceled (got "approved")',
        '4:1.3: createdTime must be a time hh:mm:ss from 00:00:00 to 23:59:59 (got "24:00:00")',
        '4:2.1: clientType must be one of pioneer, repeater (got "x")',
      ]);
      for await (const item of readCsvFile(file, { dataStream: 'POS_REJECT' })) {
        if (item.ok) expect(item.application.sourceFile).to.equal('apps_2024.csv');
      }
    });

    it('passes an empty file', async () => {
      const file = join(dir, 'empty.csv');
      writeFileSync(file, '\n\n');
      expect(await validateCsvFile(file, { dataStream: 'X' })).to.deep.equal({
        rows: 0,
        invalidRows: 0,
        errors: 0,
        passed: true,
      });
    });

    it('throws CsvReadError for a missing file and for a directory', async () => {
      for (const path of [join(dir, 'missing.csv'), dir]) {
        const error = await validateCsvFile(path, { dataStream: 'X' }).then(
          () => null,
          (e: unknown) => e,
        );
        expect(error, path).to.be.instanceOf(CsvReadError);
        expect((error as CsvReadError).message).to.match(/^cannot read /);
      }
    });
  });
});
