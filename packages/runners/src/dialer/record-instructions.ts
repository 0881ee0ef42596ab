import { bufferRecords, type Committable, type Emission, type OutboundRecord } from '@tm/pipeline-core';
import type { Knex } from 'knex';
import { concatMap, from, type OperatorFunction } from 'rxjs';
import { isUnavailable } from '../http/unavailable.js';
import { rideOut } from './ride-out.js';
import { type Instruction, recordInstructions } from './tasks-db.js';

export interface RecordInstructionsOptions {
  db: Knex;
  /** Records stored per statement, and how long a partial batch waits. */
  batchSize: number;
  lingerMs: number;
  rideOutMs: number;
  /** Told how many of a batch were stored, and how many were repeats. */
  onStored: (stored: number, duplicates: number) => void;
}

const none: readonly OutboundRecord[] = [];

/**
 * Stores consumed instructions in TM$MIGHTYCALL_TASKS in batches (one statement each; repeats of a DIAL_TASK_ID
 * dropped) and settles each record only after its batch committed: the offset is committed after the row is written
 * (at-least-once in, deduplicated by DIAL_TASK_ID). While the database is down the batch waits (ride-out); a batch the
 * database refuses for another reason is stored one by one and the record at fault is dead-lettered.
 */
export function recordInstructionsOf<T>(
  instructionOf: (value: T) => Instruction,
  options: RecordInstructionsOptions,
): OperatorFunction<Committable<T>, Emission> {
  const store = (list: Instruction[]) =>
    rideOut(() => recordInstructions(options.db, list), options.rideOutMs);
  return (records) =>
    records.pipe(
      bufferRecords<T>({ count: options.batchSize, timeMs: options.lingerMs }),
      concatMap(async (batch) => {
        const list = batch.map((r) => instructionOf(r.value));
        try {
          const stored = await store(list);
          options.onStored(stored, list.length - stored);
          return batch.map((r) => r.withValue(none));
        } catch (error) {
          if (isUnavailable(error)) throw error;
        }
        const kept: Emission[] = [];
        for (const [i, record] of batch.entries()) {
          try {
            const stored = await store([list[i] as Instruction]);
            options.onStored(stored, 1 - stored);
            kept.push(record.withValue(none));
          } catch (error) {
            if (isUnavailable(error)) throw error;
            record.deadLetter(error, 1);
          }
        }
        return kept;
      }),
      concatMap((emissions) => from(emissions)),
    );
}
