/**
 * The Telephony port: what the dialer (tm-mightycall-adapter, thesis §2.6.6) needs from a telephony provider. The
 * thesis names no MightyCall call, and MightyCall's public API has no queue of outbound tasks, so the dialer talks to
 * this port; an adapter maps it onto a provider (the HTTP telephony simulator today; ADR 0080 says how MightyCall or
 * a SIP/Asterisk dialer would fit).
 *
 * Two kinds of authority, as with MightyCall: the account (tasks are added and deleted with the account's key, held by
 * the adapter) and the operator (a bearer token per operator, for the operator's status and call events). An
 * operator's token expires, and the provider closes an operator's session after 15 minutes without requests (§2.6.6.2):
 * both surface as a `TelephonyError` of kind `AUTH`, after which the caller authenticates again.
 */
import type { CallOutcome } from '@tm/contracts';

/** The operator's availability at the telephony: READY takes calls, BREAK does not (ADR 0096). */
export type OperatorStatus = 'READY' | 'BREAK';

/** An operator's telephony login (TM$MIGHTYCALL_OPERATORS, table 7), as the provider knows the operator. */
export interface OperatorCredentials {
  readonly login: string;
  readonly secret: string;
}

/** An operator's authenticated session at the telephony. */
export interface OperatorSession {
  readonly operatorId: number;
  /** Bearer token; never logged. */
  readonly token: string;
  /** Epoch ms after which the token is refused. */
  readonly expiresAt: number;
}

/** A call the telephony is to make: one attempt of one campaign task. */
export interface TelephonyTask {
  /** Our id of the instruction (DialTask.dialTaskId, or the CallbackRequest's requestId); the provider keeps it as a reference. */
  readonly reference: string;
  /** TM$CAMPAIGN_TASKS.ID. */
  readonly taskId: number;
  readonly attempt: number;
  /** The client's phone, 11 digits. */
  readonly phone: string;
  /** Click-to-call: connect this operator (who must be READY) rather than whoever is free first. */
  readonly operatorId?: number;
}

/** One task's answer within {@link Telephony.addTasks}: the provider's id, or why it refused that task. */
export type AddTaskOutcome = { readonly externalId: string } | { readonly refused: TelephonyError };

/** What the provider answers to a delete. */
export type DeleteTaskResult =
  /** The task left the queue: it will not be called. */
  | 'DELETED'
  /** The provider does not know the task (deleted before, or never added). */
  | 'NOT_FOUND'
  /** The call is under way or done; it cannot be stopped. */
  | 'ALREADY_CALLED';

/** One event of an operator's call, as polled. */
export interface TelephonyCallEvent {
  /** The provider's id of the call; one STARTED and one ENDED per call. */
  readonly callId: string;
  /** The provider's id of the task the call was made for (what `addTask` returned). */
  readonly externalTaskId: string;
  readonly kind: 'STARTED' | 'ENDED';
  /** Epoch ms at the provider. */
  readonly at: number;
  /** ENDED only: talk time, whole seconds (0 when not answered). */
  readonly durationSeconds?: number;
  /** ENDED only. */
  readonly outcome?: CallOutcome;
}

/** A page of an operator's events after a cursor, and the cursor to ask with next. */
export interface PolledEvents {
  readonly events: readonly TelephonyCallEvent[];
  /** Opaque; pass it to the next poll (persist it, so a restart re-emits nothing). */
  readonly cursor: string;
}

export interface Telephony {
  /** Logs an operator in; `AUTH` when the credentials are refused. */
  authenticate(operatorId: number, credentials: OperatorCredentials): Promise<OperatorSession>;
  /** Sets whether the operator takes calls. */
  setStatus(session: OperatorSession, status: OperatorStatus): Promise<void>;
  /** Queues a call; resolves with the provider's id of the task. */
  addTask(task: TelephonyTask): Promise<{ readonly externalId: string }>;
  /**
   * Queues several calls in one request (ADR 0170): one outcome per task, in order. When the request as a whole
   * fails it rejects, and any of the tasks may have been taken (look them up before sending them again).
   */
  addTasks(tasks: readonly TelephonyTask[]): Promise<readonly AddTaskOutcome[]>;
  /**
   * The provider's id of the task last added with `reference`, or undefined when none was: how the dialer learns
   * whether an `addTask` whose answer it never saw (a crash, a timeout) was taken, before it sends it again (ADR 0169).
   */
  findTask(reference: string): Promise<{ readonly externalId: string } | undefined>;
  /** Takes a queued call back. */
  deleteTask(externalId: string): Promise<DeleteTaskResult>;
  /** The operator's call events after `cursor` (null: from the session's start), oldest first. */
  pollEvents(session: OperatorSession, cursor: string | null): Promise<PolledEvents>;
}

/**
 * Why a telephony call failed. `UNAVAILABLE`: the provider did not answer, or answered 5xx/429 (retry with backoff;
 * it counts towards the breaker). `AUTH`: the token expired, the session was closed or the credentials were refused
 * (authenticate again). `REJECTED`: the provider refused the request as malformed (retrying will not help).
 */
export type TelephonyErrorKind = 'UNAVAILABLE' | 'AUTH' | 'REJECTED';

export class TelephonyError extends Error {
  override readonly name = 'TelephonyError';
  constructor(
    readonly kind: TelephonyErrorKind,
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}
