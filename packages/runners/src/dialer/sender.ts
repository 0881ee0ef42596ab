import type { Knex } from 'knex';
import type { Logger } from 'pino';
import type { AddTaskOutcome, Telephony, TelephonyTask } from '../telephony/telephony.js';
import { mapBounded } from './bounded.js';
import { afterFailure, deleteDecision, looksUpFirst, retryDelayMs } from './dial-rules.js';
import type { DialerMetrics } from './dialer-metrics.js';
import { NaturalBatch } from './natural-batch.js';
import { errorText } from './operator-sessions.js';
import { rideOut } from './ride-out.js';
import {
  addIdOf,
  addStateOf,
  adoptFound,
  cancelUnsent,
  markDone,
  markRetry,
  markSent,
  type TakenInstruction,
  takePending,
} from './tasks-db.js';

/** `dialer.send` of the config. */
export interface SendSettings {
  batchSize: number;
  /** ADDs per addTasks request (1: each with its own addTask). */
  addBatchSize: number;
  concurrency: number;
  initialDelayMs: number;
  maxDelayMs: number;
  callbackMaxAgeMs: number;
}

export interface SenderOptions {
  db: Knex;
  telephony: Telephony;
  settings: SendSettings;
  metrics: DialerMetrics;
  logger: Logger;
  /**
   * The telephony's breaker: `no` while it is open (nothing is taken; the instructions wait, pending), `probe` when
   * one call may test it (one instruction is taken).
   */
  admits?: () => 'yes' | 'probe' | 'no';
  /** How long a write after a telephony call waits for the database (ride-out). */
  rideOutMs: number;
  now?: () => Date;
  random?: () => number;
}

/** A DELETE whose ADD is being sent right now waits this long before it looks again. */
const WAIT_FOR_SEND_MS = 200;

/**
 * Sends the pending instructions of TM$MIGHTYCALL_TASKS to the telephony (thesis §2.6.6.4, ADRs 0082–0084). One
 * {@link round} takes a batch (NEW, next try due; click-to-calls first), marked IN_PROGRESS before any call, and
 * handles up to `concurrency` of them at once:
 * - ADD: addTask with the instruction's id as `reference`; the telephony's id is stored right after. A failure keeps
 *   it pending (NEW) with TRIES, LAST_ERROR and the next try after an exponential backoff — it is never given up;
 *   only a REJECTED answer (malformed, retrying cannot help) closes it, with the error. An ADD taken before (a
 *   failed send, or one a stop interrupted) is looked up by its reference first and not sent again when the
 *   telephony has it (ADR 0169). A click-to-call older than `callbackMaxAgeMs` is closed unsent.
 * - ADDs sent for the first time to the shared queue go `addBatchSize` to one addTasks request (ADR 0170).
 * - DELETE: see {@link deleteDecision}; at the telephony, DELETED, NOT_FOUND and ALREADY_CALLED are outcomes.
 */
export class Sender {
  readonly #now: () => Date;
  /** The telephony's ids, stored as soon as they are known; answers that come meanwhile share one statement. */
  readonly #sent: NaturalBatch<{ id: number; externalId: string }>;

  constructor(private readonly o: SenderOptions) {
    this.#now = o.now ?? (() => new Date());
    this.#sent = new NaturalBatch((sent) => this.#store(() => markSent(o.db, sent)));
  }

  /** One round; resolves with the number of instructions taken (0: nothing was due). */
  async round(): Promise<number> {
    const admits = this.o.admits?.() ?? 'yes';
    if (admits === 'no') return 0;
    const limit = admits === 'probe' ? 1 : this.o.settings.batchSize;
    const taken = await takePending(this.o.db, this.#now(), limit);
    await mapBounded(this.#jobsOf(taken), this.o.settings.concurrency, (job) => job());
    return taken.length;
  }

  /**
   * One job per instruction, in the order taken (click-to-calls first), but the ADDs sent for the first time to the
   * shared queue go `addBatchSize` to one addTasks request, after the rest (ADR 0170).
   */
  #jobsOf(taken: readonly TakenInstruction[]): (() => Promise<void>)[] {
    const size = this.o.settings.addBatchSize;
    const batched = new Set(
      size > 1
        ? taken.filter((t) => t.type === 'ADD' && t.operatorId === null && !looksUpFirst(t.tries))
        : [],
    );
    const jobs = taken
      .filter((t) => !batched.has(t))
      .map((t) => () => (t.type === 'ADD' ? this.#add(t) : this.#delete(t)));
    const queue = [...batched];
    for (let i = 0; i < queue.length; i += size) {
      const chunk = queue.slice(i, i + size);
      jobs.push(() => this.#addBatch(chunk));
    }
    return jobs;
  }

  /**
   * Sends ADDs in one addTasks request. A refused task is handled as a failed send of its own; when the request as
   * a whole fails, each is pending again (a refusal of the whole may be one malformed task's), and a task taken again
   * is looked up and sent on its own (ADR 0169), so one bad task cannot hold the others back.
   */
  async #addBatch(tasks: readonly TakenInstruction[]): Promise<void> {
    let outcomes: readonly AddTaskOutcome[];
    try {
      outcomes = await this.o.telephony.addTasks(tasks.map(telephonyTaskOf));
    } catch (error) {
      await Promise.all(tasks.map((task) => this.#retry(task, error)));
      return;
    }
    await Promise.all(
      tasks.map((task, i) => {
        const outcome = outcomes[i];
        if (outcome === undefined || 'refused' in outcome)
          return this.#failed(task, outcome?.refused ?? new Error('addTasks: no outcome for the task'));
        return this.#sentNow(task, outcome.externalId);
      }),
    );
  }

  async #sentNow(task: TakenInstruction, externalId: string): Promise<void> {
    await this.#sent.add({ id: task.id, externalId });
    this.o.metrics.sends.inc({ type: 'ADD', outcome: 'sent' });
  }

  async #add(task: TakenInstruction): Promise<void> {
    const { db, telephony, metrics } = this.o;
    if (
      task.operatorId !== null &&
      this.#now().getTime() - task.storedAt.getTime() > this.o.settings.callbackMaxAgeMs
    ) {
      await markDone(db, [task.id], 'EXPIRED: click-to-call not sent in time');
      metrics.sends.inc({ type: 'ADD', outcome: 'expired' });
      return;
    }
    let externalId: string;
    try {
      const found = looksUpFirst(task.tries) ? await telephony.findTask(task.dialTaskId) : undefined;
      if (found) {
        await this.#sent.add({ id: task.id, externalId: found.externalId });
        metrics.sends.inc({ type: 'ADD', outcome: 'found' });
        this.o.logger.info(
          { dialTaskId: task.dialTaskId, tries: task.tries },
          'an earlier send had reached the telephony; its task id stored, not sent again',
        );
        return;
      }
      ({ externalId } = await telephony.addTask(telephonyTaskOf(task)));
    } catch (error) {
      await this.#failed(task, error);
      return;
    }
    await this.#sentNow(task, externalId);
  }

  async #delete(task: TakenInstruction): Promise<void> {
    const { db, telephony, metrics } = this.o;
    const add = await addStateOf(db, task.dialTaskId);
    let decision = deleteDecision(add);
    if (decision === 'look-up' && add) {
      let found: { readonly externalId: string } | undefined;
      try {
        found = await telephony.findTask(addIdOf(task.dialTaskId));
      } catch (error) {
        await this.#failed(task, error);
        return;
      }
      if (found) {
        // The telephony has it: stored as sent, and the DELETE tries again at once (then it deletes it there).
        await this.#store(async () => void (await adoptFound(db, add.id, found.externalId)));
        await this.#store(() => markRetry(db, task.id, 'its ADD was found at the telephony', this.#now()));
        return;
      }
      decision = 'cancel-unsent';
    }
    if (decision === 'local' || (decision === 'cancel-unsent' && add && (await cancelUnsent(db, add.id)))) {
      await markDone(db, [task.id], decision === 'local' ? 'done locally' : 'ADD closed unsent');
      metrics.sends.inc({ type: 'DELETE', outcome: 'local' });
      return;
    }
    if (decision !== 'delete-at-telephony' || !add?.externalId) {
      // The ADD is being sent right now (or the sender took it just before cancelUnsent): look again shortly.
      await markRetry(
        db,
        task.id,
        'waiting for its ADD to be sent',
        new Date(this.#now().getTime() + WAIT_FOR_SEND_MS),
      );
      return;
    }
    try {
      const result = await telephony.deleteTask(add.externalId);
      // ALREADY_CALLED: the call runs; its end closes the ADD (the engine's attempt check drops a late call).
      await this.#store(() =>
        markDone(db, result === 'ALREADY_CALLED' ? [task.id] : [task.id, add.id], result),
      );
      metrics.sends.inc({ type: 'DELETE', outcome: result.toLowerCase() });
    } catch (error) {
      await this.#failed(task, error);
    }
  }

  #store(write: () => Promise<void>): Promise<void> {
    return rideOut(write, this.o.rideOutMs);
  }

  async #failed(task: TakenInstruction, error: unknown): Promise<void> {
    if (afterFailure(error) !== 'close') return this.#retry(task, error);
    const message = errorText(error);
    await markDone(this.o.db, [task.id], `REJECTED: ${message}`);
    this.o.metrics.sends.inc({ type: task.type, outcome: 'rejected' });
    this.o.logger.error(
      { dialTaskId: task.dialTaskId, error: message },
      'the telephony refused the instruction; closed (the engine’s call-start timeout re-queues the task)',
    );
  }

  /** The instruction is pending again, with its error, after its backoff. */
  async #retry(task: TakenInstruction, error: unknown): Promise<void> {
    const message = errorText(error);
    const delay = retryDelayMs(task.tries, this.o.settings, this.o.random);
    await this.#store(() => markRetry(this.o.db, task.id, message, new Date(this.#now().getTime() + delay)));
    this.o.metrics.sends.inc({ type: task.type, outcome: 'retry' });
    this.o.logger.debug(
      { dialTaskId: task.dialTaskId, tries: task.tries, retryInMs: Math.round(delay), error: message },
      'send failed; pending until its next try',
    );
  }
}

/** The telephony's view of an ADD: our instruction id is its reference. */
function telephonyTaskOf(task: TakenInstruction): TelephonyTask {
  return {
    reference: task.dialTaskId,
    taskId: task.taskId,
    attempt: task.attempt ?? 0,
    phone: task.phone,
    ...(task.operatorId !== null ? { operatorId: task.operatorId } : {}),
  };
}
