import { randomBytes } from 'node:crypto';

/** A short lowercase id for one test run: names its database, Redis key prefix and Kafka topics. */
export function newRunId(): string {
  return `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
}
