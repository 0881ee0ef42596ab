import { createRequire } from 'node:module';
import { expect } from 'chai';

/**
 * kafkajs 2.2.4 is patched (patches/kafkajs@2.2.4.patch, ADR 0067): its producer grouped a send's messages by
 * partition in quadratic time. These tests pin what the patched function must still do, and that the patch is in.
 */
type Message = { key: string; value: string; partition?: number };
type Group = (args: {
  topic: string;
  partitionMetadata: { partitionId: number }[];
  messages: Message[];
  partitioner: (args: { message: Message }) => number;
}) => Record<number, Message[]>;

const require = createRequire(import.meta.url);
const modulePath = require.resolve('kafkajs/src/producer/groupMessagesPerPartition.js');
const groupMessagesPerPartition = require(modulePath) as Group;

describe('kafkajs patch: groupMessagesPerPartition', () => {
  const partitionMetadata = [0, 1, 2].map((partitionId) => ({ partitionId }));
  const byModulo = ({ message }: { message: Message }) => Number(message.key) % 3;

  it('groups every message under its partition, in send order', () => {
    const messages = Array.from({ length: 20_000 }, (_, i) => ({ key: String(i), value: `v${i}` }));
    const grouped = groupMessagesPerPartition({
      topic: 't',
      partitionMetadata,
      messages,
      partitioner: byModulo,
    });
    expect(Object.keys(grouped).sort()).to.deep.equal(['0', '1', '2']);
    for (const [partition, list] of Object.entries(grouped)) {
      expect(list.every((m) => Number(m.key) % 3 === Number(partition))).to.equal(true);
      const keys = list.map((m) => Number(m.key));
      expect(keys).to.deep.equal([...keys].sort((a, b) => a - b));
    }
    expect(Object.values(grouped).reduce((n, list) => n + list.length, 0)).to.equal(messages.length);
  });

  it('returns no groups when the topic has no partition metadata yet', () => {
    const messages = [{ key: '1', value: 'v' }];
    expect(
      groupMessagesPerPartition({ topic: 't', partitionMetadata: [], messages, partitioner: byModulo }),
    ).to.deep.equal({});
  });

  it('is the patched version (a fresh install without patches/ would bring the quadratic one back)', async () => {
    const { readFile } = await import('node:fs/promises');
    expect(await readFile(modulePath, 'utf8')).to.contain('ADR 0067');
  });
});

/**
 * The record encoder is patched too (ADR 0190): a record without headers is written straight into one buffer of its
 * exact size. These tests pin its bytes against the record v0 layout written out here, independently of kafkajs,
 * and read them back with kafkajs's own record decoder (what the consumer side runs).
 */
type Encoded = { buffer: Buffer };
type RecordFields = {
  offsetDelta?: number;
  timestampDelta?: number;
  key: string | Buffer | null;
  value: string | Buffer | null;
  headers?: Record<string, string>;
};
const recordPath = require.resolve('kafkajs/src/protocol/recordBatch/record/v0/index.js');
const encodeRecord = require(recordPath) as (r: RecordFields) => Encoded;
const Decoder = require('kafkajs/src/protocol/decoder.js') as new (b: Buffer) => unknown;
const decodeRecord = require('kafkajs/src/protocol/recordBatch/record/v0/decoder.js') as (
  d: unknown,
  batch: { firstOffset: string; firstTimestamp: string; magicByte: number },
) => { key: Buffer | null; value: Buffer | null; offset: string; timestamp: string; headers: object };

/** Record v0 (KIP-98): length, attributes, timestamp delta, offset delta, key, value, headers; varints zigzagged. */
function reference(
  offsetDelta: number,
  timestampDelta: number,
  key: Buffer | null,
  value: Buffer | null,
): Buffer {
  const varint = (n: number): Buffer => {
    let v = n >= 0 ? n * 2 : -n * 2 - 1;
    const out: number[] = [];
    while (v >= 0x80) {
      out.push((v % 0x80) | 0x80);
      v = Math.floor(v / 0x80);
    }
    out.push(v);
    return Buffer.from(out);
  };
  const bytes = (b: Buffer | null) => (b === null ? [varint(-1)] : [varint(b.length), b]);
  const zero = Buffer.from([0]);
  const body = Buffer.concat([
    zero, // attributes
    varint(timestampDelta),
    varint(offsetDelta),
    ...bytes(key),
    ...bytes(value),
    zero, // no headers
  ]);
  return Buffer.concat([varint(body.length), body]);
}

describe('kafkajs patch: record encoder', () => {
  const samples: (string | Buffer | null)[] = [
    null,
    '',
    'k',
    'offset:topic:1',
    Buffer.from([0, 1, 255]),
    'é'.repeat(70),
    'x'.repeat(300),
    Buffer.alloc(20_000, 7),
  ];
  const asBytes = (v: string | Buffer | null) => (v === null ? null : Buffer.from(v));

  it('writes the record v0 bytes for keys and values of every kind and size, and offset and timestamp deltas', () => {
    let checked = 0;
    for (const key of samples)
      for (const value of samples)
        for (const offsetDelta of [0, 1, 63, 64, 8191, 8192, 100_000])
          for (const timestampDelta of [0, 1, -1, 63, -65, 2 ** 31, 2 ** 40]) {
            const got = encodeRecord({ offsetDelta, timestampDelta, key, value }).buffer;
            expect(got.equals(reference(offsetDelta, timestampDelta, asBytes(key), asBytes(value)))).to.equal(
              true,
              JSON.stringify({
                key: String(key).slice(0, 20),
                value: String(value).slice(0, 20),
                offsetDelta,
                timestampDelta,
              }),
            );
            checked += 1;
          }
    expect(checked).to.equal(samples.length ** 2 * 49);
  });

  it("is read back by kafkajs's record decoder", () => {
    const encoded = encodeRecord({ offsetDelta: 5, timestampDelta: 1234, key: 'c:1|7900', value: '{"a":1}' });
    // as the batch decoder reads a record: its bytes by their length prefix, then the record from them
    const batch = new Decoder(encoded.buffer) as { readVarIntBytes(): Buffer; offset: number };
    const bytes = batch.readVarIntBytes();
    expect(batch.offset).to.equal(encoded.buffer.length);
    const record = decodeRecord(new Decoder(bytes), {
      firstOffset: '100',
      firstTimestamp: '1000',
      magicByte: 2,
    });
    expect(record.key?.toString()).to.equal('c:1|7900');
    expect(record.value?.toString()).to.equal('{"a":1}');
    expect(record.offset).to.equal('105');
    expect(record.timestamp).to.equal('2234');
    expect(record.headers).to.deep.equal({});
  });

  it('still writes headers (the original path)', () => {
    const encoded = encodeRecord({ key: 'k', value: 'v', headers: { h: 'x' } }).buffer;
    expect(encoded.equals(reference(0, 0, Buffer.from('k'), Buffer.from('v')))).to.equal(false);
    expect(encoded.includes(Buffer.from('h'))).to.equal(true);
  });

  it('is the patched version', async () => {
    const { readFile } = await import('node:fs/promises');
    expect(await readFile(recordPath, 'utf8')).to.contain('ADR 0190');
  });
});
