import { expect } from 'chai';
import { eventErrorCode, RdkafkaCodes, type RdkafkaError } from './rdkafka-client.js';

/** An error as the binding's `event.error` gives it: librdkafka's text, code -1 (ADR 0198). */
const eventError = (message: string): RdkafkaError =>
  Object.assign(new Error(message), { code: -1, origin: 'local' });

describe('eventErrorCode', () => {
  it("finds the code of librdkafka's error events from their text", () => {
    expect(eventErrorCode(eventError('broker transport failure'))).to.equal(RdkafkaCodes.TRANSPORT);
    expect(eventErrorCode(eventError('all broker connections are down'))).to.equal(
      RdkafkaCodes.ALL_BROKERS_DOWN,
    );
    expect(eventErrorCode(eventError('Local: Timed out'))).to.equal(RdkafkaCodes.TIMED_OUT);
    expect(eventErrorCode(eventError('fatal error'))).to.equal(RdkafkaCodes.FATAL);
  });

  it('keeps a real code, and -1 for a text it does not know', () => {
    expect(eventErrorCode(Object.assign(new Error('x'), { code: 90 }))).to.equal(90);
    expect(eventErrorCode(eventError('unknown member'))).to.equal(-1);
  });
});
