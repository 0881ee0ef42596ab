import { expect } from 'chai';
import type { OutboundRecord } from '../record.js';
import { MAX_REQUEST_BYTES, recordBytes, requestChunks } from './request-chunks.js';

const record = (valueBytes: number, key = 'k'): OutboundRecord => ({
  topic: 't',
  key,
  value: Buffer.alloc(valueBytes),
});

describe('requestChunks', () => {
  it('keeps every request under the byte limit, records in order, none lost', () => {
    const records = Array.from({ length: 3000 }, (_, i) => record(1000, `k${i}`));
    const chunks = requestChunks(records);
    expect(chunks.length).to.be.greaterThan(3);
    for (const c of chunks)
      expect(c.reduce((n, r) => n + recordBytes(r), 0)).to.be.at.most(MAX_REQUEST_BYTES);
    expect(chunks.flat()).to.deep.equal(records);
  });

  it('sends a small batch as one request, nothing as none, and a record above the limit alone', () => {
    expect(requestChunks([record(10), record(10)])).to.have.length(1);
    expect(requestChunks([])).to.deep.equal([]);
    const big = record(MAX_REQUEST_BYTES + 1);
    expect(requestChunks([record(10), big, record(10)]).map((c) => c.length)).to.deep.equal([1, 1, 1]);
  });

  it('counts keys, values and headers', () => {
    expect(recordBytes({ topic: 't', key: null, value: null })).to.equal(70);
    expect(recordBytes({ topic: 't', key: 'ab', value: Buffer.alloc(10), headers: { h: 'xyz' } })).to.equal(
      86,
    );
  });
});
