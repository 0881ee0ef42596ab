import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { CallOutcome, TelephonySimulatorConfig } from '@tm/contracts';
import type { TelephonyCallEvent } from '../telephony/telephony.js';
import { seededUnit } from './seeded.js';

/**
 * The telephony simulator's model (ADR 0081), apart from HTTP: accounts, operators' sessions and tokens, the task
 * queue, simulated operators taking calls, and per-operator call events.
 *
 * It has no timers. Every operation reads the clock (`now`) and first plays the simulation forward to that moment
 * (calls starting, ending, operators taking the next task), so a test drives it with a fake clock and the outcome
 * of a run depends only on the seed, the settings and the operations with their times.
 */

/** What the model needs from the config section `simulators.telephony`, plus the secrets (never in the YAML). */
export type TelephonyModelSettings = Pick<
  TelephonySimulatorConfig,
  | 'tokenLifetimeMs'
  | 'sessionIdleMs'
  | 'timeScale'
  | 'ringMs'
  | 'unansweredSeconds'
  | 'wrapUpSeconds'
  | 'outcomes'
  | 'talkSeconds'
  | 'lostTaskRate'
  | 'duplicateEventRate'
> & {
  readonly seed: string | number;
  /** The account's API key: tasks are added and deleted, and operators log in, with it. */
  readonly apiKey: string;
  /** Every operator's telephony password (the simulator knows no operator list; any login with it is let in). */
  readonly operatorSecret: string;
  /** Events kept per operator; older ones are dropped (a cursor before them reads from the oldest kept). */
  readonly eventsKeptPerOperator?: number;
};

/** The default account key and operator secret for local runs and the demo; a deployment sets the environment. */
export const DEMO_TELEPHONY_API_KEY = 'tm-demo-telephony-key';
export const DEMO_TELEPHONY_OPERATOR_SECRET = 'tm-demo-operator-secret';
/** Environment variables of the telephony's account key and operators' secret (read by the simulator and the dialer). */
export const TELEPHONY_API_KEY_ENV = 'TM_TELEPHONY_API_KEY';
export const TELEPHONY_OPERATOR_SECRET_ENV = 'TM_TELEPHONY_OPERATOR_SECRET';

/** The account key and operator secret from the environment, else the documented demo defaults. */
export function telephonySecretsFromEnv(env: NodeJS.ProcessEnv = process.env): {
  apiKey: string;
  operatorSecret: string;
} {
  return {
    apiKey: env[TELEPHONY_API_KEY_ENV]?.trim() || DEMO_TELEPHONY_API_KEY,
    operatorSecret: env[TELEPHONY_OPERATOR_SECRET_ENV]?.trim() || DEMO_TELEPHONY_OPERATOR_SECRET,
  };
}

/** A refusal, with the HTTP status the simulator answers it with. */
export class TelephonyRefusal extends Error {
  override readonly name = 'TelephonyRefusal';
  constructor(
    readonly status: 400 | 401 | 403,
    readonly code: 'BAD_REQUEST' | 'UNAUTHORIZED' | 'FORBIDDEN',
    message: string,
  ) {
    super(message);
  }
}

/** A call event as the model keeps it: as the telephony port's clients poll it. */
export type SimulatedCallEvent = TelephonyCallEvent;

/** A task as `addTask` receives it. */
export interface SimulatedTaskInput {
  readonly reference: string;
  readonly taskId: number;
  readonly attempt: number;
  readonly phone: string;
  readonly operatorId?: number;
}

/** What tests read: every addTask per reference, the queue, the calls, the faults injected. */
export interface TelephonyStats {
  /** addTask requests accepted, in all. */
  readonly addTasks: number;
  /** addTask requests accepted per reference (our dialTaskId): more than 1 means the telephony got a task twice. */
  readonly addTaskCounts: Readonly<Record<string, number>>;
  /** References added more than once. */
  readonly duplicateReferences: readonly string[];
  /** Tasks waiting for an operator (the shared queue plus the click-to-call ones). */
  readonly queued: number;
  /** Tasks taken by an operator (each makes one call). */
  readonly callsMade: number;
  /** Calls taken and not yet ENDED. */
  readonly callsInProgress: number;
  readonly callsEnded: number;
  readonly outcomes: Readonly<Record<CallOutcome, number>>;
  /** Tasks taken back by deleteTask before any call. */
  readonly deleted: number;
  /** Tasks accepted and lost (lost-task-rate, loseNextTasks): never called. */
  readonly lost: number;
  /** Events recorded twice (duplicate-event-rate). */
  readonly duplicatedEvents: number;
  /** Operators with a session open now. */
  readonly openSessions: number;
}

type Phase = 'IDLE' | 'RINGING' | 'TALKING' | 'WRAP_UP';

interface Task extends SimulatedTaskInput {
  readonly externalId: string;
  state: 'QUEUED' | 'CALLED';
}

interface Call {
  readonly callId: string;
  readonly task: Task;
  readonly outcome: CallOutcome;
  /** Simulated talk seconds (0 unless answered). */
  readonly durationSeconds: number;
  readonly startedAt: number;
  readonly endedAt: number;
}

interface Session {
  readonly openedAt: number;
  lastRequestAt: number;
  /** The operator's event sequence when the session opened: a poll without cursor reads after it. */
  readonly startSeq: number;
}

interface Operator {
  readonly id: number;
  status: 'READY' | 'BREAK';
  session: Session | null;
  phase: Phase;
  call: Call | null;
  /** When the current phase ends. */
  phaseEndsAt: number;
  /** Click-to-call tasks for this operator, taken before the shared queue. */
  readonly direct: Map<string, Task>;
  /** Kept events, oldest first; events[i] has sequence number firstSeq + i. */
  events: SimulatedCallEvent[];
  firstSeq: number;
}

interface TokenGrant {
  readonly operatorId: number;
  readonly expiresAt: number;
  readonly session: Session;
}

/** A min-heap of operators' phase ends by (time, order pushed), so simultaneous ends play in a fixed order. */
class PhaseEnds {
  readonly #heap: Array<{ at: number; order: number; operator: Operator }> = [];
  #order = 0;

  push(at: number, operator: Operator): void {
    const heap = this.#heap;
    heap.push({ at, order: this.#order++, operator });
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.#less(i, parent)) break;
      this.#swap(i, parent);
      i = parent;
    }
  }

  /** The earliest entry due at or before `time`, removed; undefined when none is due. */
  popDue(time: number): { at: number; operator: Operator } | undefined {
    const heap = this.#heap;
    const top = heap[0];
    if (top === undefined || top.at > time) return undefined;
    const last = heap.pop() as (typeof heap)[number];
    if (heap.length > 0) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && this.#less(l, m)) m = l;
        if (r < heap.length && this.#less(r, m)) m = r;
        if (m === i) break;
        this.#swap(i, m);
        i = m;
      }
    }
    return top;
  }

  #less(a: number, b: number): boolean {
    const x = this.#heap[a] as { at: number; order: number };
    const y = this.#heap[b] as { at: number; order: number };
    return x.at < y.at || (x.at === y.at && x.order < y.order);
  }

  #swap(a: number, b: number): void {
    const heap = this.#heap;
    [heap[a], heap[b]] = [heap[b] as (typeof heap)[number], heap[a] as (typeof heap)[number]];
  }
}

const OUTCOMES: readonly CallOutcome[] = ['ANSWERED', 'NO_ANSWER', 'BUSY', 'FAILED'];
const DEFAULT_EVENTS_KEPT = 10_000;

const digest = (text: string) => createHash('sha256').update(text).digest();
/** Constant-time comparison of a secret of any length with the digest of the expected one. */
const matches = (given: string, expected: Buffer) => timingSafeEqual(digest(given), expected);

/**
 * How a call for `reference` goes, fixed by the seed: the outcome from the weights, u = seededUnit(seed,
 * 'telephony-outcome', reference) against their cumulative shares (ANSWERED, NO_ANSWER, BUSY, FAILED); an answered
 * call's talk time log-normal, median × e^(spread × z) with z from two more draws (Box–Muller), rounded and clamped.
 */
export function simulatedCallFor(
  settings: Pick<TelephonyModelSettings, 'seed' | 'outcomes' | 'talkSeconds'>,
  reference: string,
): { outcome: CallOutcome; talkSeconds: number } {
  const { seed, outcomes, talkSeconds } = settings;
  const total = OUTCOMES.reduce((sum, o) => sum + outcomes[o], 0);
  const u = seededUnit(seed, 'telephony-outcome', reference) * total;
  let cumulative = 0;
  const outcome =
    OUTCOMES.find((o) => {
      cumulative += outcomes[o];
      return u < cumulative;
    }) ?? 'ANSWERED';
  if (outcome !== 'ANSWERED') return { outcome, talkSeconds: 0 };
  const u1 = Math.max(seededUnit(seed, 'telephony-talk', reference, 1), 2 ** -32);
  const u2 = seededUnit(seed, 'telephony-talk', reference, 2);
  const z = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  const seconds = Math.round(talkSeconds.median * Math.exp(talkSeconds.spread * z));
  return { outcome, talkSeconds: Math.min(talkSeconds.max, Math.max(talkSeconds.min, seconds)) };
}

/**
 * The simulated telephony. Operators: any login with the account's operator secret opens a session for the
 * operator id it names; the session starts in BREAK. A READY operator with no call takes the next task (their own
 * click-to-call tasks first, then the shared queue in order of arrival; among free operators, the one free longest
 * first), rings `ringMs` (real ms), emits STARTED, talks (answered) or rings on (`unansweredSeconds`), emits ENDED,
 * rests `wrapUpSeconds`, and takes the next. Simulated seconds pass `timeScale` times faster than real ones.
 * Faults: a share `lostTaskRate` of tasks is accepted and never called (a delete finds nothing), and a share
 * `duplicateEventRate` of events is delivered twice.
 */
export class TelephonyModel {
  readonly #settings: TelephonyModelSettings;
  readonly #now: () => number;
  readonly #apiKeyDigest: Buffer;
  readonly #operatorSecretDigest: Buffer;
  /** Prefix of ids and cursors, new for each model, so ids and cursors of an earlier run are never mistaken for this one's. */
  readonly #instance: string;
  readonly #operators = new Map<number, Operator>();
  readonly #tokens = new Map<string, TokenGrant>();
  readonly #tasks = new Map<string, Task>();
  readonly #queue = new Map<string, Task>();
  /** READY operators with no call, in the order they became free. */
  readonly #waiting = new Set<Operator>();
  readonly #phaseEnds = new PhaseEnds();
  readonly #addTaskCounts = new Map<string, number>();
  /** The id of the last task accepted per reference (lost ones too: the provider took them). */
  readonly #byReference = new Map<string, string>();
  #advancedTo = Number.NEGATIVE_INFINITY;
  #nextTask = 1;
  #nextCall = 1;
  #addTasks = 0;
  #callsMade = 0;
  #callsEnded = 0;
  #deleted = 0;
  #lost = 0;
  #loseNext = 0;
  #duplicatedEvents = 0;
  readonly #outcomeCounts: Record<CallOutcome, number> = { ANSWERED: 0, NO_ANSWER: 0, BUSY: 0, FAILED: 0 };

  constructor(settings: TelephonyModelSettings, now: () => number = Date.now) {
    this.#settings = settings;
    this.#now = now;
    this.#apiKeyDigest = digest(settings.apiKey);
    this.#operatorSecretDigest = digest(settings.operatorSecret);
    this.#instance = `${now().toString(36)}${randomBytes(2).toString('hex')}`;
  }

  /** Opens (or joins) the operator's session; resolves with a bearer token and when it expires. */
  authenticate(
    apiKey: string,
    operatorId: number,
    login: string,
    secret: string,
  ): { token: string; expiresAt: number; expiresInMs: number } {
    const now = this.#advance();
    this.#checkAccount(apiKey);
    if (login.length === 0 || !matches(secret, this.#operatorSecretDigest))
      throw new TelephonyRefusal(401, 'UNAUTHORIZED', 'invalid operator credentials');
    const operator = this.#operator(operatorId);
    if (!this.#isOpen(operator, now)) {
      this.#waiting.delete(operator);
      operator.status = 'BREAK';
      operator.session = { openedAt: now, lastRequestAt: now, startSeq: this.#lastSeq(operator) };
    }
    const session = operator.session as Session;
    session.lastRequestAt = now;
    if (this.#tokens.size > 4 * this.#operators.size + 64) this.#dropDeadTokens(now);
    const token = randomBytes(24).toString('base64url');
    const expiresAt = now + this.#settings.tokenLifetimeMs;
    this.#tokens.set(token, { operatorId, expiresAt, session });
    return { token, expiresAt, expiresInMs: this.#settings.tokenLifetimeMs };
  }

  /** Sets the operator READY (takes calls) or BREAK. */
  setStatus(token: string, operatorId: number, status: 'READY' | 'BREAK'): void {
    const now = this.#advance();
    const operator = this.#authorise(token, operatorId, now);
    operator.status = status;
    if (status === 'BREAK') this.#waiting.delete(operator);
    else if (operator.phase === 'IDLE') this.#takeNext(operator, now);
  }

  /** Queues a task; returns its id. Every call counts towards the reference's addTask count. */
  addTask(apiKey: string, input: SimulatedTaskInput): string {
    const now = this.#advance();
    this.#checkAccount(apiKey);
    this.#addTasks += 1;
    this.#addTaskCounts.set(input.reference, (this.#addTaskCounts.get(input.reference) ?? 0) + 1);
    const task: Task = { ...input, externalId: `t-${this.#instance}-${this.#nextTask++}`, state: 'QUEUED' };
    this.#byReference.set(input.reference, task.externalId);
    if (this.#loses(input.reference)) {
      this.#lost += 1;
      return task.externalId;
    }
    this.#tasks.set(task.externalId, task);
    if (input.operatorId !== undefined) {
      const operator = this.#operator(input.operatorId);
      operator.direct.set(task.externalId, task);
      if (this.#waiting.has(operator)) this.#takeNext(operator, now);
      return task.externalId;
    }
    this.#queue.set(task.externalId, task);
    for (const operator of this.#waiting) {
      if (this.#takeNext(operator, now)) break;
    }
    return task.externalId;
  }

  /** The id of the task last added with `reference`, or undefined when none was (a lookup; counts as no addTask). */
  findTask(apiKey: string, reference: string): string | undefined {
    this.#advance();
    this.#checkAccount(apiKey);
    return this.#byReference.get(reference);
  }

  /** Loses the next `count` added tasks, whatever lost-task-rate says (tests). */
  loseNextTasks(count: number): void {
    this.#loseNext = count;
  }

  /** Takes a queued task back: DELETED; ALREADY_CALLED once an operator took it; NOT_FOUND when unknown. */
  deleteTask(apiKey: string, externalId: string): 'DELETED' | 'ALREADY_CALLED' | 'NOT_FOUND' {
    this.#advance();
    this.#checkAccount(apiKey);
    const task = this.#tasks.get(externalId);
    if (task === undefined) return 'NOT_FOUND';
    if (task.state === 'CALLED') return 'ALREADY_CALLED';
    this.#tasks.delete(externalId);
    this.#queue.delete(externalId);
    if (task.operatorId !== undefined) this.#operators.get(task.operatorId)?.direct.delete(externalId);
    this.#deleted += 1;
    return 'DELETED';
  }

  /**
   * The operator's events after `cursor` (null: after the session opened), oldest first, at most `limit`, and the
   * cursor to read on from. A cursor of another run of the simulator reads from the session's start.
   */
  events(
    token: string,
    operatorId: number,
    cursor: string | null,
    limit: number,
  ): { events: SimulatedCallEvent[]; cursor: string } {
    const now = this.#advance();
    const operator = this.#authorise(token, operatorId, now);
    let after = (operator.session as Session).startSeq;
    if (cursor !== null) {
      const match = /^([0-9a-z]+)\.(\d{1,15})$/.exec(cursor);
      if (match === null) throw new TelephonyRefusal(400, 'BAD_REQUEST', 'malformed cursor');
      if (match[1] === this.#instance) after = Math.min(Number(match[2]), this.#lastSeq(operator));
    }
    const from = Math.max(0, after + 1 - operator.firstSeq);
    const events = operator.events.slice(from, from + limit);
    const last = events.length > 0 ? operator.firstSeq + from + events.length - 1 : after;
    return { events, cursor: `${this.#instance}.${last}` };
  }

  /** The counters tests read, as of now. */
  stats(): TelephonyStats {
    const now = this.#advance();
    let queued = this.#queue.size;
    let openSessions = 0;
    for (const operator of this.#operators.values()) {
      queued += operator.direct.size;
      if (this.#isOpen(operator, now)) openSessions += 1;
    }
    const counts = Object.fromEntries(this.#addTaskCounts);
    return {
      addTasks: this.#addTasks,
      addTaskCounts: counts,
      duplicateReferences: [...this.#addTaskCounts].filter(([, n]) => n > 1).map(([reference]) => reference),
      queued,
      callsMade: this.#callsMade,
      callsInProgress: this.#callsMade - this.#callsEnded,
      callsEnded: this.#callsEnded,
      outcomes: { ...this.#outcomeCounts },
      deleted: this.#deleted,
      lost: this.#lost,
      duplicatedEvents: this.#duplicatedEvents,
      openSessions,
    };
  }

  /** How many addTask requests named `reference`. */
  addTaskCount(reference: string): number {
    return this.#addTaskCounts.get(reference) ?? 0;
  }

  /** Whether the task for `reference` is lost: forced by loseNextTasks, else u = seededUnit(seed, 'telephony-lost', reference) < lostTaskRate. */
  #loses(reference: string): boolean {
    if (this.#loseNext > 0) {
      this.#loseNext -= 1;
      return true;
    }
    const rate = this.#settings.lostTaskRate;
    return rate > 0 && seededUnit(this.#settings.seed, 'telephony-lost', reference) < rate;
  }

  #checkAccount(apiKey: string): void {
    if (!matches(apiKey, this.#apiKeyDigest))
      throw new TelephonyRefusal(401, 'UNAUTHORIZED', 'invalid API key');
  }

  /** The operator a token speaks for, its session touched; 401 for an unknown, expired or closed one, 403 for another operator's. */
  #authorise(token: string, operatorId: number, now: number): Operator {
    const grant = this.#tokens.get(token);
    if (grant === undefined || now >= grant.expiresAt)
      throw new TelephonyRefusal(401, 'UNAUTHORIZED', 'token unknown or expired');
    const operator = this.#operator(grant.operatorId);
    if (operator.session !== grant.session || !this.#isOpen(operator, now))
      throw new TelephonyRefusal(401, 'UNAUTHORIZED', 'session closed');
    if (grant.operatorId !== operatorId)
      throw new TelephonyRefusal(403, 'FORBIDDEN', "the token is another operator's");
    grant.session.lastRequestAt = now;
    return operator;
  }

  #isOpen(operator: Operator, at: number): boolean {
    const session = operator.session;
    return session !== null && at < session.lastRequestAt + this.#settings.sessionIdleMs;
  }

  #operator(id: number): Operator {
    let operator = this.#operators.get(id);
    if (operator === undefined) {
      operator = {
        id,
        status: 'BREAK',
        session: null,
        phase: 'IDLE',
        call: null,
        phaseEndsAt: 0,
        direct: new Map(),
        events: [],
        firstSeq: 1,
      };
      this.#operators.set(id, operator);
    }
    return operator;
  }

  #lastSeq(operator: Operator): number {
    return operator.firstSeq + operator.events.length - 1;
  }

  #dropDeadTokens(now: number): void {
    for (const [token, grant] of this.#tokens) {
      const operator = this.#operators.get(grant.operatorId);
      if (now >= grant.expiresAt || operator?.session !== grant.session) this.#tokens.delete(token);
    }
  }

  /** Real ms for simulated seconds. */
  #scaled(seconds: number): number {
    return (seconds * 1000) / this.#settings.timeScale;
  }

  /** Plays the simulation forward to now (never backwards, should the clock step back); returns now. */
  #advance(): number {
    const now = Math.max(this.#now(), this.#advancedTo);
    for (let due = this.#phaseEnds.popDue(now); due !== undefined; due = this.#phaseEnds.popDue(now))
      this.#endPhase(due.operator, due.at);
    this.#advancedTo = now;
    return now;
  }

  /** A free operator takes their next task at `at`, if READY, in session and a task waits; true if one was taken. */
  #takeNext(operator: Operator, at: number): boolean {
    this.#waiting.delete(operator);
    if (operator.status !== 'READY' || !this.#isOpen(operator, at)) return false;
    const [task] = operator.direct.size > 0 ? operator.direct.values() : this.#queue.values();
    if (task === undefined) {
      this.#waiting.add(operator);
      return false;
    }
    operator.direct.delete(task.externalId);
    this.#queue.delete(task.externalId);
    task.state = 'CALLED';
    const { outcome, talkSeconds } = simulatedCallFor(this.#settings, task.reference);
    const startedAt = at + this.#settings.ringMs;
    const ringsOn = outcome === 'ANSWERED' ? talkSeconds : this.#settings.unansweredSeconds;
    operator.call = {
      callId: `c-${this.#instance}-${this.#nextCall++}`,
      task,
      outcome,
      durationSeconds: talkSeconds,
      startedAt,
      endedAt: startedAt + this.#scaled(ringsOn),
    };
    this.#callsMade += 1;
    this.#enterPhase(operator, 'RINGING', startedAt);
    return true;
  }

  #enterPhase(operator: Operator, phase: Phase, endsAt: number): void {
    operator.phase = phase;
    operator.phaseEndsAt = endsAt;
    this.#phaseEnds.push(endsAt, operator);
  }

  #endPhase(operator: Operator, at: number): void {
    const call = operator.call as Call;
    switch (operator.phase) {
      case 'RINGING':
        this.#record(operator, {
          callId: call.callId,
          externalTaskId: call.task.externalId,
          kind: 'STARTED',
          at: call.startedAt,
        });
        this.#enterPhase(operator, 'TALKING', call.endedAt);
        return;
      case 'TALKING': {
        this.#record(operator, {
          callId: call.callId,
          externalTaskId: call.task.externalId,
          kind: 'ENDED',
          at: call.endedAt,
          durationSeconds: call.durationSeconds,
          outcome: call.outcome,
        });
        this.#callsEnded += 1;
        this.#outcomeCounts[call.outcome] += 1;
        const restUntil = at + this.#scaled(this.#settings.wrapUpSeconds);
        if (restUntil > at) {
          this.#enterPhase(operator, 'WRAP_UP', restUntil);
          return;
        }
        break;
      }
      case 'WRAP_UP':
        break;
      case 'IDLE':
        return;
    }
    operator.call = null;
    operator.phase = 'IDLE';
    this.#takeNext(operator, at);
  }

  #record(operator: Operator, event: SimulatedCallEvent): void {
    operator.events.push(event);
    const rate = this.#settings.duplicateEventRate;
    if (rate > 0 && seededUnit(this.#settings.seed, 'telephony-duplicate', event.callId, event.kind) < rate) {
      operator.events.push(event);
      this.#duplicatedEvents += 1;
    }
    const kept = this.#settings.eventsKeptPerOperator ?? DEFAULT_EVENTS_KEPT;
    if (operator.events.length > kept) {
      const drop = operator.events.length - Math.floor(kept / 2);
      operator.events = operator.events.slice(drop);
      operator.firstSeq += drop;
    }
  }
}
