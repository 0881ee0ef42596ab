import { Committable, type Headers, type OutboundRecord, type Settlement } from '../record.js';

/** How a test record was settled, if it was. */
export type TestOutcome =
  | { kind: 'pending' }
  | { kind: 'delivered'; outputs: readonly OutboundRecord[] }
  | { kind: 'acked' }
  | { kind: 'dead-lettered'; error: unknown; attempts: number };

class RecordingSettlement implements Settlement {
  outcome: TestOutcome = { kind: 'pending' };
  settleCount = 0;

  get settled(): boolean {
    return this.outcome.kind !== 'pending';
  }

  deliver(outputs: readonly OutboundRecord[]): void {
    this.settleCount += 1;
    if (this.settled) return;
    this.outcome = outputs.length === 0 ? { kind: 'acked' } : { kind: 'delivered', outputs };
  }

  deadLetter(error: unknown, attempts: number): void {
    this.settleCount += 1;
    if (this.settled) return;
    this.outcome = { kind: 'dead-lettered', error, attempts };
  }
}

/**
 * A standalone {@link Committable} for operator tests (marble tests included): it records how it was settled
 * instead of committing anything. Read it back with {@link outcomeOf}.
 */
export function testRecord<T>(
  value: T,
  options: {
    key?: string | null;
    topic?: string;
    partition?: number;
    offset?: number;
    /** Record timestamp, epoch ms (default 0). */
    timestamp?: number;
    headers?: Headers;
  } = {},
): Committable<T> {
  return new Committable(
    value,
    options.key === undefined ? null : options.key,
    options.headers ?? {},
    {
      topic: options.topic ?? 'test',
      partition: options.partition ?? 0,
      offset: options.offset ?? 0,
      timestamp: options.timestamp ?? 0,
    },
    new RecordingSettlement(),
  );
}

/** How a record made by {@link testRecord} was settled. */
export function outcomeOf(record: Committable<unknown>): TestOutcome {
  const settlement = record.settlement;
  if (!(settlement instanceof RecordingSettlement))
    throw new Error('outcomeOf() takes records made by testRecord()');
  return settlement.outcome;
}
