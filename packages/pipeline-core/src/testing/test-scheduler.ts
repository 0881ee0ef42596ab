import { expect } from 'chai';
import { TestScheduler } from 'rxjs/testing';

/** A TestScheduler asserting with chai's deep equality, for marble tests of operators. */
export function testScheduler(): TestScheduler {
  return new TestScheduler((actual, expected) => {
    expect(actual).to.deep.equal(expected);
  });
}
