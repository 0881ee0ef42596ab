/**
 * The invariants of a chaos run, checked from what the topics and the database hold at its end. Each check is a
 * pure function of those facts; a broken invariant is one {@link Violation} per record, keyed by the application it
 * belongs to, so the report can put it on the fault that was in progress when that application's file came in. A
 * record lost at one stage is counted there only: the next stage is checked for what the previous one produced.
 */

export type ViolationKind = 'lost' | 'duplicated' | 'stuck';

export interface Violation {
  readonly invariant: string;
  readonly kind: ViolationKind;
  /** What was lost, doubled or stuck (an application number, a candidate id, a dial-task id). */
  readonly key: string;
  /** The application the record belongs to, when known: it names the file, and so the fault. */
  readonly applicationNumber?: string;
}

/** A generated file of the load, and where intake left it. */
export interface LoadFile {
  readonly name: string;
  readonly stream: string;
  /** The rows intake must publish: all of a good file's, none of a file with a broken row (it goes to error/ whole). */
  readonly validApplicationNumbers: readonly string[];
  /** True once intake moved it out of the stream folder (to success/ or error/). */
  readonly settled: boolean;
}

export interface Decision {
  readonly applicationNumber: string;
  readonly campaignId: string;
  /** Set for a candidate (the engine's task key), absent for a rejection. */
  readonly candidateId?: string;
  /** Where it was read (`topic/partition@offset`), to trace a duplicate. */
  readonly at?: string;
}

export interface StoredTask {
  readonly taskId: string;
  readonly candidateId: string;
  readonly state: string;
  /**
   * For an IN_PROGRESS task, what its current attempt waits for: its call to start (no communication yet), its
   * call to end (started, not ended), or the engine (the call ended, the task not yet moved on).
   */
  readonly waitingFor?: TaskWait;
  /** How long it has waited for that, in ms at the moment the facts were read. */
  readonly waitedMs?: number;
}

export type TaskWait = 'call-start' | 'call-end' | 'engine';

/** One record of the call-events topic. */
export interface CallEventFact {
  readonly eventId: string;
  readonly callId: string;
  readonly type: 'CALL_STARTED' | 'CALL_ENDED';
  readonly taskId: string;
}

/** A result save the simulated operators sent through the ARM (see OperatorBotsOptions.onSave). */
export interface SaveFact {
  readonly communicationId: string;
  /** `saved`: the ARM answered OK; `unknown`: no answer or a 5xx, so it may have been published. */
  readonly outcome: 'saved' | 'unknown';
}

/** One record of the communication-results topic. */
export interface ResultEventFact {
  readonly eventId: string;
  readonly communicationId: string;
  readonly state: 'DRAFT' | 'FIXED';
}

/** A row of TM$COMMUNICATIONS: its state and the event id of the result stored in it (RESULT_DETAILS). */
export interface StoredCommunication {
  readonly communicationId: string;
  readonly taskId: string;
  readonly state: string;
  readonly resultEventId?: string;
}

export interface OutboxAdd {
  readonly dialTaskId: string;
  readonly taskId: string;
  readonly published: boolean;
}

/** What the run left behind, read once the load stopped and the pipeline drained. */
export interface ChaosFacts {
  readonly files: readonly LoadFile[];
  readonly campaigns: readonly string[];
  /** Application numbers of the records on the incoming-events topic (read committed). */
  readonly published: readonly string[];
  readonly decisions: readonly Decision[];
  readonly tasks: readonly StoredTask[];
  /** The campaign engine's ADD rows in its dial-task outbox. */
  readonly outboxAdds: readonly OutboxAdd[];
  /** dialTaskIds of the ADD records on the dial-tasks topic (read committed). */
  readonly publishedAdds: readonly string[];
  /** The telephony simulator's addTask count per reference (our dial-task id), over the whole run. */
  readonly telephonyAdds: Readonly<Record<string, number>>;
  /** Calls the telephony made, by its own count. */
  readonly callsMade: number;
  readonly callEvents: readonly CallEventFact[];
  readonly saves: readonly SaveFact[];
  readonly resultEvents: readonly ResultEventFact[];
  readonly communications: readonly StoredCommunication[];
  /**
   * How long an IN_PROGRESS task may wait for each step before it counts as stuck: the engine's call-start timeout
   * and its check interval, the longest simulated call, the time to apply an event, each with a margin.
   */
  readonly waitLimitsMs: Readonly<Record<TaskWait, number>>;
}

/** An invariant: a name and the check that lists its violations. */
export interface Invariant {
  readonly name: string;
  check(facts: ChaosFacts): Violation[];
}

function countBy(keys: Iterable<string>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const k of keys) counts.set(k, (counts.get(k) ?? 0) + 1);
  return counts;
}

/** The application of each candidate on the topic, by candidate id. */
function applicationOfCandidate(facts: ChaosFacts): Map<string, string> {
  const apps = new Map<string, string>();
  for (const d of facts.decisions) if (d.candidateId) apps.set(d.candidateId, d.applicationNumber);
  return apps;
}

/** The application of each task, through its candidate. */
function applicationOfTask(facts: ChaosFacts): Map<string, string | undefined> {
  const appOfCandidate = applicationOfCandidate(facts);
  return new Map(facts.tasks.map((t) => [t.taskId, appOfCandidate.get(t.candidateId)]));
}

/** Lost (0) or stuck, and duplicated (more than 1), among the expected keys; keys not expected are not looked at. */
function exactlyOnce(
  invariant: string,
  expected: Iterable<[key: string, applicationNumber: string | undefined]>,
  seen: Iterable<string>,
  stuck: (key: string) => boolean = () => false,
): Violation[] {
  const counts = countBy(seen);
  const out: Violation[] = [];
  const known = new Set<string>();
  for (const [key, applicationNumber] of expected) {
    known.add(key);
    const n = counts.get(key) ?? 0;
    if (n === 0) out.push({ invariant, kind: stuck(key) ? 'stuck' : 'lost', key, applicationNumber });
    for (let i = 1; i < n; i++) out.push({ invariant, kind: 'duplicated', key, applicationNumber });
  }
  return out;
}

/** Every valid row of every file published once (a file still in its folder: its rows are stuck, not lost). */
export const publishedOnce: Invariant = {
  name: 'every valid row published once',
  check: (facts) => {
    const unsettled = new Set(
      facts.files.filter((f) => !f.settled).flatMap((f) => f.validApplicationNumbers),
    );
    const expected = facts.files.flatMap((f) =>
      f.validApplicationNumbers.map((a): [string, string] => [a, a]),
    );
    return exactlyOnce('published once', expected, facts.published, (a) => unsettled.has(a));
  },
};

/** One decision (a candidate or a rejection) per published application and campaign. */
export const oneDecision: Invariant = {
  name: 'one decision per application and campaign',
  check: (facts) => {
    const expected = [...new Set(facts.published)].flatMap((a) =>
      facts.campaigns.map((c): [string, string] => [`${a}:${c}`, a]),
    );
    const key = (d: Decision) => `${d.applicationNumber}:${d.campaignId}`;
    const where = new Map<string, string[]>();
    for (const d of facts.decisions) if (d.at) where.set(key(d), [...(where.get(key(d)) ?? []), d.at]);
    return exactlyOnce('one decision', expected, facts.decisions.map(key)).map((v) =>
      v.kind === 'duplicated' && where.has(v.key)
        ? { ...v, key: `${v.key} (${where.get(v.key)?.join(', ')})` }
        : v,
    );
  },
};

/** One stored task per candidate (a cancelled task, replaced by a newer candidate, still counts as its one). */
export const oneTask: Invariant = {
  name: 'one task per candidate',
  check: (facts) => {
    const candidates = applicationOfCandidate(facts);
    return exactlyOnce(
      'one task',
      candidates.entries(),
      facts.tasks.map((t) => t.candidateId),
    );
  },
};

/**
 * One ADD row in the engine's outbox per dispatched (IN_PROGRESS) task, and each outbox ADD on the dial-tasks topic;
 * one still unpublished at the end is stuck. The topic itself is at least once (ADR 0034: a publisher that fails
 * before marking its rows published sends them again, and the dialer drops repeats by dial-task id), so a repeat
 * is not a violation here; {@link republishedAdds} counts them, and the dialer's "at most one telephony task per
 * dial-task id" is the end-to-end check.
 */
export const oneAdd: Invariant = {
  name: 'one ADD per dispatched task (published at least once)',
  check: (facts) => {
    const appOfCandidate = applicationOfCandidate(facts);
    const taskApp = new Map(facts.tasks.map((t) => [t.taskId, appOfCandidate.get(t.candidateId)]));
    const onTopic = new Set(facts.publishedAdds);
    const out: Violation[] = [];
    for (const o of facts.outboxAdds) {
      if (onTopic.has(o.dialTaskId)) continue;
      out.push({
        invariant: 'one ADD',
        kind: o.published ? 'lost' : 'stuck',
        key: o.dialTaskId,
        applicationNumber: taskApp.get(o.taskId),
      });
    }
    const withAdd = new Set(facts.outboxAdds.map((o) => o.taskId));
    for (const t of facts.tasks) {
      // Published rows of finished tasks are pruned (ADR 0034): only an IN_PROGRESS task must still have its ADD row.
      if (t.state === 'IN_PROGRESS' && !withAdd.has(t.taskId))
        out.push({
          invariant: 'one ADD',
          kind: 'lost',
          key: `task ${t.taskId}`,
          applicationNumber: taskApp.get(t.taskId),
        });
    }
    return out;
  },
};

/** ADD records on the dial-tasks topic beyond the first of their dial-task id (allowed: ADR 0034). */
export function republishedAdds(facts: Pick<ChaosFacts, 'publishedAdds'>): number {
  return facts.publishedAdds.length - new Set(facts.publishedAdds).size;
}

/**
 * No task left NEW once the pipeline drained (calling hours are the whole day, re-calls are due at once and dispatch
 * runs every 500 ms), and no task IN_PROGRESS longer than its current step allows ({@link ChaosFacts.waitLimitsMs}):
 * a call that never started must have been timed out by the engine, a started call must have ended, an ended one
 * must have moved its task on.
 */
export const noStuckTask: Invariant = {
  name: 'no task stuck past its timeouts',
  check: (facts) => {
    const appOfCandidate = applicationOfCandidate(facts);
    const stuck = (t: StoredTask): string | undefined => {
      if (t.state === 'NEW') return `task ${t.taskId}`;
      if (t.state !== 'IN_PROGRESS' || t.waitingFor === undefined || t.waitedMs === undefined)
        return undefined;
      return t.waitedMs > facts.waitLimitsMs[t.waitingFor]
        ? `task ${t.taskId} (IN_PROGRESS, waiting for ${t.waitingFor} ${Math.round(t.waitedMs / 1000)} s)`
        : undefined;
    };
    return facts.tasks.flatMap((t) => {
      const key = stuck(t);
      return key === undefined
        ? []
        : [
            {
              invariant: 'no stuck task',
              kind: 'stuck' as const,
              key,
              applicationNumber: appOfCandidate.get(t.candidateId),
            },
          ];
    });
  },
};

/** The task id in a dial-task id (`ADD:<taskId>:<attempt>`). */
function taskOfDialTask(dialTaskId: string): string | undefined {
  return /^[A-Z]+:(\d+):\d+$/.exec(dialTaskId)?.[1];
}

/**
 * At most one telephony task per dial-task id, by the telephony's own addTask count: a dialer restarted after a
 * crash must not send again blindly what it may have sent (ADR 0169: such a send is looked up at the telephony and
 * sent only when the telephony never got it).
 */
export const oneTelephonyTask: Invariant = {
  name: 'at most one telephony task per dial-task id',
  check: (facts) => {
    const appOfTask = applicationOfTask(facts);
    return Object.entries(facts.telephonyAdds).flatMap(([dialTaskId, n]) => {
      const task = taskOfDialTask(dialTaskId);
      return Array.from({ length: Math.max(0, n - 1) }, () => ({
        invariant: 'one telephony task',
        kind: 'duplicated' as const,
        key: dialTaskId,
        applicationNumber: task === undefined ? undefined : appOfTask.get(task),
      }));
    });
  },
};

/**
 * One CALL_STARTED and one CALL_ENDED per call on the call-events topic. A replayed event keeps its event id (the
 * consumers drop it), so distinct event ids are counted: two of one type is a duplicate; a call without its end is
 * stuck (the telephony is idle once drained) and one without its start is lost; calls the telephony made that never
 * reached the topic are lost (counted, not named: the telephony does not list its calls).
 */
export const oneStartOneEnd: Invariant = {
  name: 'one CALL_STARTED and one CALL_ENDED per call',
  check: (facts) => {
    const appOfTask = applicationOfTask(facts);
    const calls = new Map<string, { taskId: string; started: Set<string>; ended: Set<string> }>();
    for (const e of facts.callEvents) {
      let call = calls.get(e.callId);
      if (!call) {
        call = { taskId: e.taskId, started: new Set(), ended: new Set() };
        calls.set(e.callId, call);
      }
      (e.type === 'CALL_STARTED' ? call.started : call.ended).add(e.eventId);
    }
    const out: Violation[] = [];
    for (const [callId, call] of calls) {
      const v = (kind: ViolationKind, what: string): Violation => ({
        invariant: 'one start, one end',
        kind,
        key: `call ${callId} ${what}`,
        applicationNumber: appOfTask.get(call.taskId),
      });
      if (call.started.size === 0) out.push(v('lost', 'CALL_STARTED'));
      if (call.ended.size === 0) out.push(v('stuck', 'CALL_ENDED'));
      for (let i = 1; i < call.started.size; i++) out.push(v('duplicated', 'CALL_STARTED'));
      for (let i = 1; i < call.ended.size; i++) out.push(v('duplicated', 'CALL_ENDED'));
    }
    for (let i = calls.size; i < facts.callsMade; i++)
      out.push({
        invariant: 'one start, one end',
        kind: 'lost',
        key: 'a call the telephony made, not published',
      });
    return out;
  },
};

/**
 * One stored result per save: every save the ARM acknowledged is stored — its communication FIXED in the database
 * with the event id of a FIXED result published for it — and no communication has more FIXED results published than
 * saves of it that may have reached the ARM (acknowledged, or unanswered). A repeated event id on the topic is one
 * save sent twice (the engine drops repeats by event id) and is not counted.
 */
export const oneStoredResult: Invariant = {
  name: 'one stored result per save',
  check: (facts) => {
    const appOfTask = applicationOfTask(facts);
    const stored = new Map(facts.communications.map((c) => [c.communicationId, c]));
    const published = new Map<string, Set<string>>();
    for (const r of facts.resultEvents)
      if (r.state === 'FIXED')
        published.set(r.communicationId, (published.get(r.communicationId) ?? new Set()).add(r.eventId));
    const attempts = countBy(facts.saves.map((s) => s.communicationId));
    const acknowledged = new Set(
      facts.saves.filter((s) => s.outcome === 'saved').map((s) => s.communicationId),
    );
    const out: Violation[] = [];
    const violation = (kind: ViolationKind, communicationId: string, what: string): Violation => {
      const task = stored.get(communicationId)?.taskId;
      return {
        invariant: 'one stored result',
        kind,
        key: `communication ${communicationId} ${what}`,
        applicationNumber: task === undefined ? undefined : appOfTask.get(task),
      };
    };
    for (const id of acknowledged) {
      const c = stored.get(id);
      const events = published.get(id);
      if (!events) out.push(violation('lost', id, 'saved, no result published'));
      else if (c?.state !== 'FIXED' || !c.resultEventId || !events.has(c.resultEventId))
        out.push(violation('lost', id, `saved, stored ${c?.state ?? 'nothing'}`));
    }
    for (const [id, events] of published)
      for (let i = attempts.get(id) ?? 0; i < events.size; i++)
        out.push(violation('duplicated', id, 'a FIXED result published beyond its saves'));
    return out;
  },
};

/** The invariants checked after every run; a new one joins by being listed here with the facts it needs. */
export const CHAOS_INVARIANTS: readonly Invariant[] = [
  publishedOnce,
  oneDecision,
  oneTask,
  oneAdd,
  oneTelephonyTask,
  oneStartOneEnd,
  oneStoredResult,
  noStuckTask,
];

export function checkInvariants(facts: ChaosFacts, invariants = CHAOS_INVARIANTS): Violation[] {
  return invariants.flatMap((i) => i.check(facts));
}
