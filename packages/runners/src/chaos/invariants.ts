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

/** No task left NEW once the pipeline drained: calling hours are the whole day and dispatch runs every 500 ms. */
export const noStuckTask: Invariant = {
  name: 'no task stuck past its timeouts',
  check: (facts) => {
    const appOfCandidate = applicationOfCandidate(facts);
    return facts.tasks
      .filter((t) => t.state === 'NEW')
      .map((t) => ({
        invariant: 'no stuck task',
        kind: 'stuck' as const,
        key: `task ${t.taskId}`,
        applicationNumber: appOfCandidate.get(t.candidateId),
      }));
  },
};

/**
 * The invariants checked after every run. The dialer's (at most one telephony task per dial-task id, one
 * CALL_STARTED and one CALL_ENDED per call, one stored result per save) join by being listed here with the facts
 * they need.
 */
export const CHAOS_INVARIANTS: readonly Invariant[] = [
  publishedOnce,
  oneDecision,
  oneTask,
  oneAdd,
  noStuckTask,
];

export function checkInvariants(facts: ChaosFacts, invariants = CHAOS_INVARIANTS): Violation[] {
  return invariants.flatMap((i) => i.check(facts));
}
