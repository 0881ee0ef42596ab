/**
 * An in-memory Telephony for the dialer's unit tests: it counts addTask per reference, keeps a queue, lets a test
 * start and end calls by hand, expires tokens, and fails on demand.
 */
import type { CallOutcome } from '@tm/contracts';
import {
  type AddTaskOutcome,
  type DeleteTaskResult,
  type OperatorCredentials,
  type OperatorSession,
  type OperatorStatus,
  type PolledEvents,
  type Telephony,
  type TelephonyCallEvent,
  TelephonyError,
  type TelephonyTask,
} from '../telephony/telephony.js';

type Operation =
  | 'authenticate'
  | 'setStatus'
  | 'addTask'
  | 'addTasks'
  | 'findTask'
  | 'deleteTask'
  | 'pollEvents';

export const FAKE_SECRET = 'fake-secret';

export class FakeTelephony implements Telephony {
  readonly addTaskCounts = new Map<string, number>();
  readonly tasks = new Map<string, TelephonyTask & { state: 'QUEUED' | 'CALLED' | 'DELETED' }>();
  readonly statuses = new Map<number, OperatorStatus>();
  readonly logins: number[] = [];
  readonly calls: Record<Operation, number> = {
    authenticate: 0,
    setStatus: 0,
    addTask: 0,
    addTasks: 0,
    findTask: 0,
    deleteTask: 0,
    pollEvents: 0,
  };
  /** References addTasks refuses (REJECTED) within an otherwise answered batch. */
  readonly refuseInBatch = new Set<string>();
  /** Every operation fails with UNAVAILABLE while true. */
  down = false;
  /** Token lifetime, ms. */
  tokenLifetimeMs = 3_600_000;
  now = () => Date.now();
  readonly #failures = new Map<Operation, TelephonyError[]>();
  readonly #events = new Map<number, TelephonyCallEvent[]>();
  readonly #valid = new Set<string>();
  #next = 0;

  /** The next `times` calls of `operation` fail with `error`. */
  failNext(operation: Operation, error: TelephonyError, times = 1): void {
    const list = this.#failures.get(operation) ?? [];
    for (let i = 0; i < times; i += 1) list.push(error);
    this.#failures.set(operation, list);
  }

  /** Every token of the operator is refused from now on (expired, or the session closed after 15 idle minutes). */
  expireTokens(operatorId: number): void {
    for (const token of this.#valid) if (token.startsWith(`op${operatorId}:`)) this.#valid.delete(token);
  }

  /** The operator takes the queued task: a STARTED event. */
  startCall(externalId: string, operatorId: number, at = this.now()): string {
    const task = this.tasks.get(externalId);
    if (task?.state !== 'QUEUED') throw new Error(`task ${externalId} is not queued`);
    task.state = 'CALLED';
    const callId = `call-${externalId}`;
    this.#log(operatorId).push({ callId, externalTaskId: externalId, kind: 'STARTED', at });
    return callId;
  }

  endCall(
    externalId: string,
    operatorId: number,
    durationSeconds = 30,
    outcome: CallOutcome = 'ANSWERED',
  ): void {
    this.#log(operatorId).push({
      callId: `call-${externalId}`,
      externalTaskId: externalId,
      kind: 'ENDED',
      at: this.now(),
      durationSeconds,
      outcome,
    });
  }

  /** The external id of the task added with `reference`. */
  externalIdOf(reference: string): string | undefined {
    for (const [id, task] of this.tasks) if (task.reference === reference) return id;
    return undefined;
  }

  #log(operatorId: number): TelephonyCallEvent[] {
    let log = this.#events.get(operatorId);
    if (!log) {
      log = [];
      this.#events.set(operatorId, log);
    }
    return log;
  }

  #enter(operation: Operation): void {
    this.calls[operation] += 1;
    if (this.down) throw new TelephonyError('UNAVAILABLE', `${operation}: down`, 503);
    const failure = this.#failures.get(operation)?.shift();
    if (failure) throw failure;
  }

  #check(session: OperatorSession): void {
    if (!this.#valid.has(session.token) || session.expiresAt <= this.now())
      throw new TelephonyError('AUTH', 'token expired', 401);
  }

  async authenticate(operatorId: number, credentials: OperatorCredentials): Promise<OperatorSession> {
    this.#enter('authenticate');
    if (credentials.secret !== FAKE_SECRET) throw new TelephonyError('AUTH', 'invalid credentials', 401);
    this.logins.push(operatorId);
    this.#next += 1;
    const token = `op${operatorId}:${this.#next}`;
    this.#valid.add(token);
    return { operatorId, token, expiresAt: this.now() + this.tokenLifetimeMs };
  }

  async setStatus(session: OperatorSession, status: OperatorStatus): Promise<void> {
    this.#enter('setStatus');
    this.#check(session);
    this.statuses.set(session.operatorId, status);
  }

  async addTasks(tasks: readonly TelephonyTask[]): Promise<readonly AddTaskOutcome[]> {
    this.#enter('addTasks');
    return tasks.map((task) =>
      this.refuseInBatch.has(task.reference)
        ? { refused: new TelephonyError('REJECTED', 'INVALID_PHONE: refused') }
        : this.#queue(task),
    );
  }

  async addTask(task: TelephonyTask): Promise<{ readonly externalId: string }> {
    this.#enter('addTask');
    return this.#queue(task);
  }

  #queue(task: TelephonyTask): { readonly externalId: string } {
    this.addTaskCounts.set(task.reference, (this.addTaskCounts.get(task.reference) ?? 0) + 1);
    this.#next += 1;
    const externalId = `ext-${this.#next}`;
    this.tasks.set(externalId, { ...task, state: 'QUEUED' });
    return { externalId };
  }

  async findTask(reference: string): Promise<{ readonly externalId: string } | undefined> {
    this.#enter('findTask');
    let found: string | undefined;
    for (const [id, task] of this.tasks) if (task.reference === reference) found = id;
    return found === undefined ? undefined : { externalId: found };
  }

  async deleteTask(externalId: string): Promise<DeleteTaskResult> {
    this.#enter('deleteTask');
    const task = this.tasks.get(externalId);
    if (!task || task.state === 'DELETED') return 'NOT_FOUND';
    if (task.state === 'CALLED') return 'ALREADY_CALLED';
    task.state = 'DELETED';
    return 'DELETED';
  }

  async pollEvents(session: OperatorSession, cursor: string | null): Promise<PolledEvents> {
    this.#enter('pollEvents');
    this.#check(session);
    const log = this.#log(session.operatorId);
    const from = cursor === null ? 0 : Number(cursor);
    return { events: log.slice(from), cursor: String(log.length) };
  }
}
