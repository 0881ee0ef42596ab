import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { readSpool, type SpoolRecord, SpoolWriter } from './spool.js';

describe('intake spool', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tm-spool-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  interface Row {
    readonly line: number;
    readonly key: string;
    readonly value: Buffer;
  }

  async function roundTrip(records: readonly Row[]): Promise<SpoolRecord[]> {
    const writer = await SpoolWriter.create(join(dir, 's'));
    for (const r of records) {
      const full = writer.add(r.line, r.key, r.value);
      if (full) await full;
    }
    await writer.close();
    expect(writer.records).to.equal(records.length);
    const read: SpoolRecord[] = [];
    for await (const batch of readSpool(join(dir, 's'))) read.push(...batch);
    return read;
  }

  it('gives back every row in order, across buffer and chunk boundaries, keys in UTF-8', async () => {
    const records = Array.from({ length: 20_000 }, (_, i) => ({
      line: i * 2 + 1,
      key: i % 7 === 0 ? `ключ-${i}` : String(202310240000 + i),
      value: Buffer.alloc(100 + (i % 50), i % 256),
    }));
    const read = await roundTrip(records);
    expect(read).to.have.length(records.length);
    expect(read.map((r) => r.line)).to.deep.equal(records.map((r) => r.line));
    expect(read.map((r) => r.key.toString('utf8'))).to.deep.equal(records.map((r) => r.key));
    expect(read.every((r, i) => r.value.equals(records[i]?.value as Buffer))).to.equal(true);
  });

  it('takes a row larger than its buffer, and an empty value', async () => {
    const big = Buffer.alloc(3 * 1024 * 1024, 7);
    const read = await roundTrip([
      { line: 1, key: 'a', value: Buffer.alloc(0) },
      { line: 2, key: 'b', value: big },
      { line: 3, key: 'c', value: Buffer.from('x') },
    ]);
    expect(read.map((r) => [r.line, r.key.toString(), r.value.length])).to.deep.equal([
      [1, 'a', 0],
      [2, 'b', big.length],
      [3, 'c', 1],
    ]);
  });

  it('discard removes the file', async () => {
    const writer = await SpoolWriter.create(join(dir, 'gone'));
    writer.add(1, 'k', Buffer.from('v'));
    await writer.discard();
    const exists = await stat(join(dir, 'gone')).then(
      () => true,
      () => false,
    );
    expect(exists).to.equal(false);
  });
});
