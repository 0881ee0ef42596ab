import { expect } from 'chai';
import { RetriesExhaustedError } from '../errors.js';
import type { RawRecord } from '../record.js';
import { DeadLetterHeaders, DeadLetters, deadLetterRecord, defaultDeadLetterTopic } from './dead-letter.js';

const failed: RawRecord = {
  topic: 'orders',
  partition: 2,
  offset: 41,
  timestamp: 1_700_000_000_000,
  key: Buffer.from('k1'),
  value: Buffer.from([0xff, 0x00]),
  headers: { trace: 't-1' },
};

describe('deadLetterRecord', () => {
  it('keeps the original key, value and headers, and says where the record came from and why it failed', () => {
    const at = new Date('2026-01-02T03:04:05.000Z');
    const letter = deadLetterRecord(failed, 'enrich', new TypeError('bad'), 3, defaultDeadLetterTopic, at);
    expect(letter.topic).to.equal('orders.dlq');
    expect(letter.key).to.equal(failed.key);
    expect(letter.value).to.equal(failed.value);
    expect(letter.headers).to.deep.equal({
      trace: 't-1',
      [DeadLetterHeaders.stage]: 'enrich',
      [DeadLetterHeaders.error]: 'bad',
      [DeadLetterHeaders.errorType]: 'TypeError',
      [DeadLetterHeaders.attempts]: '3',
      [DeadLetterHeaders.originTopic]: 'orders',
      [DeadLetterHeaders.originPartition]: '2',
      [DeadLetterHeaders.originOffset]: '41',
      [DeadLetterHeaders.originTimestamp]: '1700000000000',
      [DeadLetterHeaders.failedAt]: '2026-01-02T03:04:05.000Z',
    });
  });

  it('cuts a long error message to 1,000 characters and names what was thrown when it is no Error', () => {
    const long = deadLetterRecord(failed, 's', new Error('x'.repeat(5000)), 1, defaultDeadLetterTopic);
    expect(long.headers?.[DeadLetterHeaders.error]).to.have.length(1000);
    const thrown = deadLetterRecord(failed, 's', 'just a string', 1, (t) => `dead.${t}`);
    expect([thrown.topic, thrown.headers?.[DeadLetterHeaders.errorType]]).to.deep.equal([
      'dead.orders',
      'string',
    ]);
  });
});

describe('DeadLetters', () => {
  it("counts and logs a record it gives up on, by origin and never by value, and builds its letter to the topic's DLQ", () => {
    const counted: string[] = [];
    const logged: { fields: Record<string, unknown>; message: string }[] = [];
    const letters = new DeadLetters(
      'enrich',
      (topic) => `${topic}.failed`,
      { deadLettered: (topic) => counted.push(topic) },
      {
        warn: ((fields: Record<string, unknown>, message: string) =>
          logged.push({ fields, message })) as never,
      },
    );
    const error = new RetriesExhaustedError(4, new Error('service down'));
    const letter = letters.of(failed, error, 4);
    expect(letter.topic).to.equal('orders.failed');
    expect(letter.headers?.[DeadLetterHeaders.stage]).to.equal('enrich');
    expect(letter.headers?.[DeadLetterHeaders.attempts]).to.equal('4');
    expect(counted).to.deep.equal(['orders']);
    expect(logged).to.deep.equal([
      {
        fields: { topic: 'orders', partition: 2, offset: 41, attempts: 4, error: error.message },
        message: 'record dead-lettered',
      },
    ]);
  });
});
