import avro from 'avsc';
import { expect } from 'chai';
import { AvroSchemaStore, canonicalForm } from './avro-schema-store.js';
import { avroSingleObjectSerde } from './avro-single-object.js';
import { crc64Avro, toSignedLong } from './crc64-avro.js';
import { order, v1, v2 } from './order-schemas.test-support.js';

const fp = (schema: avro.Schema) =>
  toSignedLong(crc64Avro(Buffer.from(canonicalForm(avro.Type.forSchema(schema)))));

describe('Avro serdes', () => {
  describe('CRC-64-AVRO fingerprints of the Parsing Canonical Form', () => {
    // Expected values: the Avro project's shared test data (share/test/data/schema-tests.txt).
    it('match the Avro specification test vectors', () => {
      expect(fp('null')).to.equal(7195948357588979594n);
      expect(fp('int')).to.equal(8247732601305521295n);
      expect(fp('string')).to.equal(-8142146995180207161n);
      expect(fp({ type: 'record', name: 'foo', fields: [] })).to.equal(-4824392279771201922n);
      expect(fp({ type: 'record', name: 'foo', namespace: 'x.y', fields: [] })).to.equal(
        5916914534497305771n,
      );
      expect(fp({ type: 'record', name: 'foo', doc: 'Useful info', aliases: ['bar'], fields: [] })).to.equal(
        -4824392279771201922n,
      );
      expect(fp({ type: 'enum', name: 'foo', symbols: ['A1'] })).to.equal(-6342190197741309591n);
      expect(fp({ type: 'map', values: 'string' })).to.equal(-8732877298790414990n);
    });
  });

  describe('single-object encoding', () => {
    it('writes 0xC3 0x01 and the little-endian fingerprint, and round-trips', () => {
      const store = new AvroSchemaStore();
      store.addCurrent(v1);
      const serde = avroSingleObjectSerde<typeof order>(store, 'shop.Order');
      const bytes = serde.encode(order);
      expect([...bytes.subarray(0, 2)]).to.deep.equal([0xc3, 0x01]);
      expect(bytes.readBigUInt64LE(2)).to.equal(crc64Avro(Buffer.from(canonicalForm(v1))));
      expect({ ...(serde.decode(bytes) as object) }).to.deep.equal(order);
    });

    it('reads a record written with an older schema into a newer one that adds a defaulted field', () => {
      const oldStore = new AvroSchemaStore();
      oldStore.addCurrent(v1);
      const written = avroSingleObjectSerde<typeof order>(oldStore, 'shop.Order').encode(order);

      const newStore = new AvroSchemaStore();
      newStore.addCurrent(v2);
      newStore.addVersion(v1);
      const read = avroSingleObjectSerde<typeof order & { channel: string }>(newStore, 'shop.Order').decode(
        written,
      );
      expect({ ...(read as object) }).to.deep.equal({ ...order, channel: 'web' });
    });

    it('refuses bytes without the marker and writers it does not know', () => {
      const store = new AvroSchemaStore();
      store.addCurrent(v2);
      const serde = avroSingleObjectSerde(store, 'shop.Order');
      expect(() => serde.decode(Buffer.from('{"json":true}'))).to.throw('no 0xC3 0x01 marker');
      const oldStore = new AvroSchemaStore();
      oldStore.addCurrent(v1);
      const written = avroSingleObjectSerde<typeof order>(oldStore, 'shop.Order').encode(order);
      expect(() => serde.decode(written)).to.throw('unknown writer schema fingerprint');
    });

    it('encodes records larger than its scratch buffer', () => {
      const store = new AvroSchemaStore();
      store.addCurrent(v1);
      const serde = avroSingleObjectSerde<typeof order>(store, 'shop.Order');
      const big = { ...order, id: 'x'.repeat(200_000) };
      expect((serde.decode(serde.encode(big)) as typeof order).id).to.have.length(200_000);
    });
  });
});
