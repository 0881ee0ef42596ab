import type { Logger } from '../log.js';
import type { OutboundRecord, RawRecord } from '../record.js';
import type { StageMeter } from './metrics.js';

/**
 * Headers a dead-lettered record carries besides its original ones. Its key and value are the original bytes,
 * so a fixed stage can replay it as it was.
 */
export const DeadLetterHeaders = {
  /** The stage that gave up on the record. */
  stage: 'dlq.stage',
  /** The error message (at most 1,000 characters). */
  error: 'dlq.error',
  /** The error's class name, e.g. DecodeError or RetriesExhaustedError. */
  errorType: 'dlq.error.type',
  /** Attempts made, the first included. */
  attempts: 'dlq.attempts',
  originTopic: 'dlq.origin.topic',
  originPartition: 'dlq.origin.partition',
  originOffset: 'dlq.origin.offset',
  originTimestamp: 'dlq.origin.timestamp',
  /** When the record was dead-lettered, ISO 8601. */
  failedAt: 'dlq.failed-at',
} as const;

/** The default dead-letter topic of a consumed topic: `<topic>.dlq`. */
export const defaultDeadLetterTopic = (topic: string): string => `${topic}.dlq`;

/** The record that carries a failed record to its dead-letter topic. */
export function deadLetterRecord(
  raw: RawRecord,
  stage: string,
  error: unknown,
  attempts: number,
  topicFor: (topic: string) => string,
  now = new Date(),
): OutboundRecord {
  const message = error instanceof Error ? error.message : String(error);
  const type = error instanceof Error ? error.name : typeof error;
  return {
    topic: topicFor(raw.topic),
    key: raw.key,
    value: raw.value,
    headers: {
      ...raw.headers,
      [DeadLetterHeaders.stage]: stage,
      [DeadLetterHeaders.error]: message.length > 1000 ? `${message.slice(0, 997)}...` : message,
      [DeadLetterHeaders.errorType]: type,
      [DeadLetterHeaders.attempts]: String(attempts),
      [DeadLetterHeaders.originTopic]: raw.topic,
      [DeadLetterHeaders.originPartition]: String(raw.partition),
      [DeadLetterHeaders.originOffset]: String(raw.offset),
      [DeadLetterHeaders.originTimestamp]: String(raw.timestamp),
      [DeadLetterHeaders.failedAt]: now.toISOString(),
    },
  };
}

/**
 * A stage's dead-lettering: a record it gives up on becomes a {@link deadLetterRecord} for the dead-letter topic of
 * the topic it came from, counted (`deadLettered`) and logged with its origin — never its value.
 */
export class DeadLetters {
  constructor(
    private readonly stage: string,
    private readonly topicFor: (topic: string) => string,
    private readonly meter: Pick<StageMeter, 'deadLettered'>,
    private readonly log: Pick<Logger, 'warn'>,
  ) {}

  /** The dead letter of `raw`, which failed with `error` after `attempts` tries (the first included). */
  of(raw: RawRecord, error: unknown, attempts: number): OutboundRecord {
    this.meter.deadLettered(raw.topic);
    this.log.warn(
      {
        topic: raw.topic,
        partition: raw.partition,
        offset: raw.offset,
        attempts,
        error: error instanceof Error ? error.message : String(error),
      },
      'record dead-lettered',
    );
    return deadLetterRecord(raw, this.stage, error, attempts, this.topicFor);
  }
}
