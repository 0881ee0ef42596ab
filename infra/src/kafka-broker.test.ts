import { expect } from 'chai';
import { newClusterId } from './kafka-broker.js';

describe('newClusterId', () => {
  it('is 22 base64url characters and never starts with "-" (kafka-storage would take it for an option)', () => {
    for (let i = 0; i < 5000; i++) {
      const id = newClusterId();
      expect(id).to.match(/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
    }
  });
});
