import { expect } from 'chai';
import { jsonbText } from './jsonb.js';

describe('jsonbText', () => {
  it('is JSON.stringify when no string holds a NUL', () => {
    const value = { a: 'БЕКИШОВ', b: ['x\\u0000y', 1], c: null };
    expect(jsonbText(value)).to.equal(JSON.stringify(value));
  });

  it('drops NUL characters, which jsonb refuses, and nothing else', () => {
    expect(
      JSON.parse(jsonbText({ lastName: 'AB\u0000C', list: ['\u0000'], literal: 'x\\u0000y' })),
    ).to.deep.equal({
      lastName: 'ABC',
      list: [''],
      literal: 'x\\u0000y',
    });
  });
});
