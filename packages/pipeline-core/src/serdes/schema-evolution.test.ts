import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import avro from 'avsc';
import { expect } from 'chai';
import { AvroSchemaStore } from './avro-schema-store.js';
import { avroSingleObjectSerde } from './avro-single-object.js';
import { archiveSchemas, checkSchemaEvolution } from './schema-evolution.js';

const orderV1 = {
  type: 'record',
  name: 'Order',
  namespace: 'shop',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'amount', type: 'long' },
    { name: 'item', type: { type: 'record', name: 'Item', fields: [{ name: 'sku', type: 'string' }] } },
  ],
};
const withField = (field: object) => ({ ...orderV1, fields: [...orderV1.fields, field] });

describe('schema evolution (schemas/history/)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tm-schemas-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const write = (file: string, schema: object) => {
    mkdirSync(join(dir, file, '..'), { recursive: true });
    writeFileSync(join(dir, file), JSON.stringify(schema));
  };

  it('loads a directory whose history holds an earlier version of a current schema, and reads its records', () => {
    write('order.avsc', orderV1);
    const oldRecord = avroSingleObjectSerde(AvroSchemaStore.fromDirectory(dir), 'shop.Order').encode({
      id: 'o-1',
      amount: 5,
      item: { sku: 'A' },
    });
    expect(archiveSchemas(dir)).to.have.length(1);
    write('order.avsc', withField({ name: 'channel', type: 'string', default: 'web' }));
    expect(archiveSchemas(dir)).to.have.length(1);

    const store = AvroSchemaStore.fromDirectory(dir);
    const read = avroSingleObjectSerde<{ channel: string; item: { sku: string } }>(
      store,
      'shop.Order',
    ).decode(oldRecord) as { channel: string; item: { sku: string } };
    expect(read.channel).to.equal('web');
    expect(read.item.sku).to.equal('A');
    expect(checkSchemaEvolution(dir)).to.deep.equal([]);
  });

  it('reports a current schema not archived yet', () => {
    write('order.avsc', orderV1);
    const problems = checkSchemaEvolution(dir);
    expect(problems).to.have.length(1);
    expect(problems[0]?.problem).to.match(/not archived/);
  });

  it('fails a backward-incompatible change: a new field without a default cannot read old records', () => {
    write('order.avsc', orderV1);
    archiveSchemas(dir);
    write('order.avsc', withField({ name: 'channel', type: 'string' }));
    archiveSchemas(dir);
    const problems = checkSchemaEvolution(dir);
    expect(problems.map((p) => p.problem).join('\n')).to.match(
      /cannot read records written with history\/shop\.Order\/.*channel/,
    );
  });

  it('names both schemas when a record of another type arrives', () => {
    const store = new AvroSchemaStore();
    store.addCurrent(avro.Type.forSchema(orderV1 as avro.Schema));
    const rejection = avro.Type.forSchema({
      type: 'record',
      name: 'shop.Refund',
      fields: [{ name: 'id', type: 'string' }],
    });
    store.addVersion(rejection);
    const refundBytes = avroSingleObjectSerde(store, rejection).encode({ id: 'r' });
    expect(() => avroSingleObjectSerde(store, 'shop.Order').decode(refundBytes)).to.throw(
      'writer shop.Refund cannot be read as shop.Order',
    );
  });

  it('names the field when a long exceeds 2^53', () => {
    const store = new AvroSchemaStore();
    const type = avro.Type.forSchema(orderV1 as avro.Schema);
    store.addCurrent(type);
    const serde = avroSingleObjectSerde(store, 'shop.Order');
    const bytes = serde.encode({ id: 'o', amount: 1, item: { sku: 'x' } });
    // Rewrite the amount (zig-zag varint after the id) as 2^60.
    const big = Buffer.from([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x20]); // 2^60: zig-zag 2^61 as a varint
    const header = bytes.subarray(0, 10);
    const forged = Buffer.concat([header, Buffer.from([0x02, 0x6f]), big, Buffer.from([0x02, 0x78])]);
    expect(() => serde.decode(forged)).to.throw(/shop\.Order field amount: a long beyond 2\^53/);
  });
});
