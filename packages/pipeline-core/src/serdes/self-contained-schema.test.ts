import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import avro from 'avsc';
import { expect } from 'chai';
import { AvroSchemaStore, fingerprintBytes } from './avro-schema-store.js';

describe('self-contained schemas for a registry', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'schemas-'));
    writeFileSync(
      join(dir, 'customer.avsc'),
      JSON.stringify({
        type: 'record',
        name: 'Customer',
        namespace: 'shop',
        doc: 'a customer',
        fields: [
          { name: 'id', type: 'string' },
          {
            name: 'tier',
            type: { type: 'enum', name: 'Tier', symbols: ['GOLD', 'SILVER'] },
            default: 'SILVER',
          },
          { name: 'since', type: { type: 'int', logicalType: 'date' } },
        ],
      }),
    );
    writeFileSync(
      join(dir, 'order.avsc'),
      JSON.stringify({
        type: 'record',
        name: 'Order',
        namespace: 'shop',
        fields: [
          { name: 'buyer', type: 'shop.Customer', doc: 'who pays' },
          { name: 'giftFor', type: ['null', 'Customer'], default: null },
          { name: 'tier', type: 'Tier' },
        ],
      }),
    );
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('puts in the named types of other files at their first use, as written, and parses to the same schema', () => {
    const store = AvroSchemaStore.fromDirectory(dir);
    const definition = JSON.parse(store.definition('shop.Order')) as {
      fields: { name: string; type: unknown; doc?: string }[];
    };
    const [buyer, giftFor, tier] = definition.fields;
    expect(buyer?.doc).to.equal('who pays');
    expect(buyer?.type).to.deep.include({ name: 'shop.Customer', doc: 'a customer' });
    const customer = buyer?.type as { fields: { name: string; type: unknown; default?: unknown }[] };
    expect(customer.fields[1]).to.deep.include({ default: 'SILVER' });
    expect(customer.fields[2]?.type).to.deep.equal({ type: 'int', logicalType: 'date' });
    expect(giftFor?.type).to.deep.equal(['null', 'Customer']); // later uses stay references
    expect(tier?.type).to.equal('Tier');
    const parsed = avro.Type.forSchema(definition as avro.Schema, { registry: {} });
    expect(fingerprintBytes(parsed)).to.deep.equal(fingerprintBytes(store.current('shop.Order')));
  });

  it('leaves a schema without references as written', () => {
    const store = AvroSchemaStore.fromDirectory(dir);
    expect(JSON.parse(store.definition('shop.Customer'))).to.deep.include({ doc: 'a customer' });
  });
});
