import { expect } from 'chai';
import { isUnsplittable, MAX_ROW_CHARS, type SplitItem, splitRows } from './split-rows.js';

const dialect = { delimiter: ';', quote: '"' };

async function split(chunks: readonly string[]): Promise<{ items: SplitItem[]; batches: number }> {
  const items: SplitItem[] = [];
  let batches = 0;
  for await (const batch of splitRows(
    chunks.map((c) => Buffer.from(c)),
    dialect,
  )) {
    batches++;
    items.push(...batch.rows);
  }
  return { items, batches };
}

describe('splitRows (papaparse, ADR 0040)', () => {
  it('reads a file whose lines end with CR only', async () => {
    const { items } = await split(['a;b\rc;"d;e"\r\r', 'f;g']);
    expect(items).to.deep.equal([['a', 'b'], ['c', 'd;e'], [], ['f', 'g']]);
  });

  it('drops the CR of CRLF line ends, also after a quoted last cell, and keeps CRs inside quotes', async () => {
    const { items } = await split(['a;"b"\r\n', 'c;"x\ry"\r\n\r\n']);
    expect(items).to.deep.equal([['a', 'b'], ['c', 'x\ry'], []]);
  });

  it('yields one batch per chunk that completes rows, and reads the next chunk only when asked', async () => {
    let pulled = 0;
    async function* source() {
      for (const c of ['a;b\nc;d\n', 'e;f\n', 'g;h\n']) {
        pulled++;
        yield Buffer.from(c);
      }
    }
    const batches = splitRows(source(), dialect);
    const first = await batches.next();
    expect(first.value).to.deep.equal({
      rows: [
        ['a', 'b'],
        ['c', 'd'],
      ],
      mayHoldLineBreaks: false,
      mayHoldReplacementChars: false,
    });
    expect(pulled).to.equal(1);
    await batches.return(undefined);
  });

  it(`refuses a row that runs past ${MAX_ROW_CHARS} characters instead of carrying it to the end`, async () => {
    const piece = 'x'.repeat(65_536);
    const chunks = ['a;b\n"open', ...Array.from({ length: 40 }, () => piece)];
    const { items } = await split(chunks);
    expect(items).to.have.length(2);
    expect(items[0]).to.deep.equal(['a', 'b']);
    const last = items[1] as SplitItem;
    expect(isUnsplittable(last) && last.reason).to.equal(`is longer than ${MAX_ROW_CHARS} characters`);
  });

  it('yields nothing for an empty input or a BOM alone', async () => {
    expect((await split([])).items).to.deep.equal([]);
    expect((await split(['\uFEFF'])).items).to.deep.equal([]);
  });

  it('says from which batch on a quote, a CR or U+FFFD has been read', async () => {
    const flags = [];
    for await (const b of splitRows(
      ['a;b\n', 'c;"d"\n', 'e;f\n', 'g;\uFFFD\n'].map((c) => Buffer.from(c)),
      dialect,
    )) {
      flags.push([b.mayHoldLineBreaks, b.mayHoldReplacementChars]);
    }
    expect(flags).to.deep.equal([
      [false, false],
      [true, false],
      [true, false],
      [true, true],
    ]);
  });
});
