import { expect } from 'chai';
import { Attempts, TestServiceUnavailableError } from './attempts.js';

describe('Attempts', () => {
  it('fails with an error that names the service and every attempt in order', () => {
    const attempts = new Attempts('Redis');
    attempts.tried('REDIS_URL', 'unset');
    attempts.tried('127.0.0.1:6379', 'nothing answers');
    try {
      attempts.fail();
      expect.fail('fail() returned');
    } catch (err) {
      expect(err).to.be.instanceOf(TestServiceUnavailableError);
      const e = err as TestServiceUnavailableError;
      expect(e.service).to.equal('Redis');
      expect(e.message).to.equal(
        'Redis is not available for the tests. Tried, in order:\n  - REDIS_URL: unset\n  - 127.0.0.1:6379: nothing answers',
      );
    }
  });
});
