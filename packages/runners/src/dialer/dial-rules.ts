import type { CallEvent } from '@tm/contracts';
import { backoffDelay } from '@tm/pipeline-core';
import { type TelephonyCallEvent, TelephonyError } from '../telephony/telephony.js';
import type { AddState, SentTask } from './tasks-db.js';

/**
 * What a DELETE does, from the state of the ADD it takes back (thesis §2.6.6.4, ADR 0082):
 * - `local`: the ADD never reached the telephony (never stored, or closed already): done here, no call;
 * - `cancel-unsent`: the ADD is stored and was never sent: it is closed unsent, no call;
 * - `look-up`: the ADD is stored and pending again after a send whose answer never came (a crash, a timeout): the
 *   telephony may have it, so its reference is looked up first (ADR 0169);
 * - `wait`: the ADD is being sent right now: try again shortly;
 * - `delete-at-telephony`: the telephony has the task: deleteTask (DELETED, NOT_FOUND, ALREADY_CALLED are outcomes).
 */
export type DeleteDecision = 'local' | 'cancel-unsent' | 'look-up' | 'wait' | 'delete-at-telephony';

export function deleteDecision(add: AddState | undefined): DeleteDecision {
  if (!add || add.state === 'DONE') return 'local';
  if (add.state === 'NEW') return add.tries > 0 ? 'look-up' : 'cancel-unsent';
  return add.externalId === null ? 'wait' : 'delete-at-telephony';
}

/**
 * Whether an ADD is looked up at the telephony before it is sent (ADR 0169): when it was taken before (`tries` counts
 * this take), the earlier send may have reached the telephony though its answer never came back.
 */
export function looksUpFirst(tries: number): boolean {
  return tries > 1;
}

/** After a failed send: try again later, or close it (the telephony refused it as malformed; retrying cannot help). */
export function afterFailure(error: unknown): 'retry' | 'close' {
  return error instanceof TelephonyError && error.kind === 'REJECTED' ? 'close' : 'retry';
}

/** The backoff of a failed instruction before its next try: from `initialDelayMs`, doubling, up to `maxDelayMs`. */
export function retryDelayMs(
  tries: number,
  settings: { initialDelayMs: number; maxDelayMs: number },
  random: () => number = Math.random,
): number {
  return backoffDelay({ ...settings, jitter: 'equal', random }, Math.max(1, tries));
}

/** The call event's id: the same for every poll of the same call's start or end, so a replay is dropped downstream. */
export function callEventId(callId: string, kind: TelephonyCallEvent['kind']): string {
  return `call:${callId}:${kind}`;
}

/** A polled telephony event as the CallEvent the engine and the ARM consume (ADR 0035: always with the attempt). */
export function callEventOf(event: TelephonyCallEvent, operatorId: number, task: SentTask): CallEvent {
  const ended = event.kind === 'ENDED';
  return {
    eventId: callEventId(event.callId, event.kind),
    type: ended ? 'CALL_ENDED' : 'CALL_STARTED',
    taskId: task.taskId,
    operatorId,
    callId: event.callId,
    phone: task.phone,
    durationSeconds: ended ? (event.durationSeconds ?? 0) : null,
    occurredAt: event.at,
    attempt: task.attempt,
    outcome: ended ? (event.outcome ?? null) : null,
  };
}
