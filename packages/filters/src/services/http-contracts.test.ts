import { expect } from 'chai';
import { BLACKLIST_SEARCH, CASPER_SEARCH, requestJsonSchema } from './http-contracts.js';

describe('http contracts', () => {
  it('give a server draft-07 JSON Schema without $schema, refusing unknown properties and an empty query', () => {
    const schema = requestJsonSchema(BLACKLIST_SEARCH) as {
      $schema?: string;
      additionalProperties: boolean;
      properties: { query: { minProperties: number; additionalProperties: boolean } };
    };
    expect(schema.$schema).to.equal(undefined);
    expect(schema.additionalProperties).to.equal(false);
    expect(schema.properties.query).to.include({ minProperties: 1, additionalProperties: false });
    expect(requestJsonSchema(CASPER_SEARCH)).to.include({ type: 'object', additionalProperties: false });
  });

  it('refuse the same bodies in zod as the server does', () => {
    expect(BLACKLIST_SEARCH.request.safeParse({ query: {} }).success).to.equal(false);
    expect(
      BLACKLIST_SEARCH.request.safeParse({ query: { $or: [{ phone: '1', device_id: 'd' }] } }).success,
    ).to.equal(false);
    expect(
      BLACKLIST_SEARCH.request.safeParse({ query: { $or: [{ phone: '1' }, { device_id: 'd' }] } }).success,
    ).to.equal(true);
    expect(CASPER_SEARCH.request.safeParse({ phone: '1', extra: true }).success).to.equal(false);
  });
});
