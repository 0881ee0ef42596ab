import { deepStrictEqual } from 'node:assert/strict';
import { TestScheduler } from 'rxjs/testing';

/** A TestScheduler asserting with node:assert's deep strict equality, for marble tests of operators. */
export function testScheduler(): TestScheduler {
  return new TestScheduler((actual, expected) => {
    deepStrictEqual(actual, expected);
  });
}
