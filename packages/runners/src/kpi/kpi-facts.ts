import type {
  Application,
  CallEvent,
  Candidate,
  CommunicationResult,
  DialTask,
  OperatorSession,
  Rejection,
} from '@tm/contracts';
import type { KeyValueStore } from '@tm/pipeline-core';
import { type Counters, campaignKey, type KpiFact, operatorKey } from './kpi-keys.js';

/**
 * The KPI stage's own tables, kept in the same state (and flushed in the same transaction) as its windows, and the
 * facts each record adds to the windows. The tables join what one topic lacks from another: a call event or a
 * result names a task, not its campaign; a result's handle time needs the end of its call.
 *
 * Entries, by key prefix (values are short-keyed JSON; `at` is the event time of the last change):
 * - `c:<campaign>|<phone>` a client's open task (at most one per campaign, ADR 0031): `N` waiting for its first
 *   dispatch, `Q` handed to the telephony, `C` being called;
 * - `t:<task>` a dispatched task's campaign, stream and phone;
 * - `p:<phone>` contacts of a client on one local day (repeat contacts);
 * - `e:<task>|<operator>` an answered call's end, until its first save (handle time);
 * - `m:<communication>` a communication's save state: `D` drafts waiting for rework, `F` fixed (final);
 * - `o:<operator>` an operator session's last action (CLOSE included);
 * - `w:<join key>` events read before what they join with — a dial task before its candidate (`c<campaign>|<phone>`),
 *   a call event before its task's dial task, a first save before its call's end (`t<task>`): records of
 *   different topics come in no set order, and a topic read behind another after a restart may lag by hours. They
 *   count once that is read, under the right campaign and stream and at their own event time.
 */
export type TableEntry =
  | ClientEntry
  | TaskEntry
  | PhoneEntry
  | EndedEntry
  | CommunicationEntry
  | OperatorEntry
  | WaitingEntry;

interface ClientEntry {
  st: 'N' | 'Q' | 'C';
  s: string;
  /** The application's changedAt of the candidate behind the task: an older candidate does not replace it. */
  ch?: number;
  t?: number;
  a?: number;
  at: number;
}
interface TaskEntry {
  c: number;
  s: string;
  p: string;
  at: number;
}
interface PhoneEntry {
  d: number;
  n: number;
  at: number;
}
interface EndedEntry {
  talk: number;
  at: number;
}
interface CommunicationEntry {
  st: 'D' | 'F';
  c: number | '?';
  s: string;
  at: number;
}
type WaitingEvent =
  | { k: 'call'; v: CallEvent }
  | { k: 'result'; v: CommunicationResult }
  | { k: 'dial'; v: DialTask };
interface WaitingEntry {
  ev: WaitingEvent[];
  /** When the first event began to wait, wall clock. */
  since: number;
  at: number;
}
interface OperatorEntry {
  /** CLOSE stays (until the TTL) so that an older event arriving late cannot reopen the session. */
  st: OperatorSession['action'];
  at: number;
}

/** The task states the gauges report, per campaign and stream. */
export interface TaskGauges {
  /** Stored by the engine, not dispatched yet (NEW awaiting its first call). */
  waiting: number;
  /** Handed to the telephony, no call yet: the dialer's queue. */
  queued: number;
  /** A call is under way. */
  calling: number;
}

/** Current state, as opposed to the windows' flows. */
export interface KpiGauges {
  /** `c=<campaign>|s=<stream>` → task states. */
  tasks: Map<string, TaskGauges>;
  /** `c=<campaign>|s=<stream>` → drafts waiting for rework and the oldest one's save time. */
  drafts: Map<string, { count: number; oldestAt: number }>;
  operators: { loggedIn: number; ready: number; onBreak: number };
}

export interface KpiFactsOptions {
  /** FIXED results that count as a conversion. */
  conversionResults: readonly string[];
  /** Results saved this long after an answered call's end count as saved in time. */
  resultLimitMs: number;
  /** The local day's offset from UTC, ms (Moscow: 3 h). */
  utcOffsetMs: number;
  /** Entries without news for this long are dropped by {@link KpiFacts.prune}. */
  ttlMs: number;
  /** How long (wall clock) an event waits for its task or call end before it counts without them. */
  joinWaitMs: number;
  /** Wall clock, epoch ms. */
  clock: () => number;
}

const DAY = 86_400_000;
const HOUR = 3_600_000;
const UNKNOWN = '?';

/**
 * Turns each record of the pipeline's topics into the facts it adds to the KPI windows, keeping the tables those
 * facts need and the current-state gauges derived from them. Applying the same records to the same tables gives
 * the same facts, so after a restart (tables restored with the windows) the counts go on exactly.
 */
export class KpiFacts {
  readonly #tasks = new Map<string, TaskGauges>();
  readonly #drafts = new Map<number, { key: string; at: number }>();
  /**
   * The drafts summed per key, as {@link gauges} last computed them; cleared when a draft comes or goes. The API is
   * polled often (the dashboard, freshness probes) and a busy day has many drafts: summing them on every request
   * took CPU from the stage.
   */
  #draftSums: Map<string, { count: number; oldestAt: number }> | undefined;
  readonly #operators = new Map<string, Exclude<OperatorEntry['st'], 'CLOSE'>>();
  readonly #conversions: ReadonlySet<string>;
  /** Join key → since when (wall clock) events wait for it: the index of the `w:` entries. */
  readonly #waiting = new Map<string, number>();
  #expiryCheckedAt = 0;

  constructor(
    private readonly table: KeyValueStore<TableEntry>,
    private readonly options: KpiFactsOptions,
  ) {
    this.#conversions = new Set(options.conversionResults);
    this.#rebuildGauges();
  }

  application(a: Application): KpiFact[] {
    return this.#withExpired([
      { key: campaignKey('*', a.dataStream), at: a.receivedAt, counters: { applications: 1 } },
    ]);
  }

  candidate(c: Candidate): KpiFact[] {
    const stream = c.application.dataStream;
    const id = `c:${c.campaignId}|${c.phone}`;
    const open = this.table.get(id) as ClientEntry | undefined;
    const counters: Counters = { candidates: 1 };
    const changedAt = c.application.changedAt;
    const facts: KpiFact[] = [{ key: campaignKey(c.campaignId, stream), at: c.decidedAt, counters }];
    if (open?.ch !== undefined && changedAt < open.ch) {
      // An older application than the open task's: the engine stores it CANCELED and keeps the task (ADR 0130).
      counters['tasks.outdated'] = 1;
      return this.#withExpired(facts);
    }
    // The engine cancels a client's open task for the new one (ADR 0031); one already dispatched gets a DELETE.
    if (open?.st === 'N') counters['tasks.replaced'] = 1;
    this.#putClient(id, c.campaignId, { st: 'N', s: stream, ch: changedAt, at: c.decidedAt }, open);
    facts.push(...this.#resolve(`c${c.campaignId}|${c.phone}`)); // its dial task, read before it
    return this.#withExpired(facts);
  }

  rejection(r: Rejection): KpiFact[] {
    const counters = { rejections: 1, [`rejections.${r.filter}`]: 1 };
    return this.#withExpired([{ key: campaignKey(r.campaignId, r.dataStream), at: r.decidedAt, counters }]);
  }

  dialTask(d: DialTask): KpiFact[] {
    return this.#withExpired(this.#dialTask(d, false));
  }

  callEvent(e: CallEvent): KpiFact[] {
    return this.#withExpired(this.#callEvent(e, false));
  }

  result(r: CommunicationResult): KpiFact[] {
    return this.#withExpired(this.#result(r, false));
  }

  session(s: OperatorSession): KpiFact[] {
    const id = `o:${s.operatorId}`;
    const current = this.table.get(id) as OperatorEntry | undefined;
    if (current && current.at > s.occurredAt) return this.#withExpired([]); // overtaken by a newer event
    this.table.put(id, { st: s.action, at: s.occurredAt } satisfies OperatorEntry);
    if (s.action === 'CLOSE') this.#operators.delete(id);
    else this.#operators.set(id, s.action);
    return this.#withExpired([
      { key: campaignKey('*', '*'), at: s.occurredAt, counters: { [`sessions.${s.action}`]: 1 } },
    ]);
  }

  /** Events waiting for a task or a call's end the KPI stage has not read yet. */
  get waiting(): number {
    return this.#waiting.size;
  }

  /** A dial task; without `force`, a first ADD whose candidate is not read yet waits for it (for its data stream). */
  #dialTask(d: DialTask, force: boolean): KpiFact[] {
    const id = `c:${d.campaignId}|${d.phone}`;
    const taskId = `t:${d.taskId}`;
    const open = this.table.get(id) as ClientEntry | undefined;
    const known = this.table.get(taskId) as TaskEntry | undefined;
    if (d.action === 'DELETE') {
      if (open?.t === d.taskId) this.#putClient(id, d.campaignId, undefined, open);
      const key = campaignKey(d.campaignId, known?.s ?? open?.s ?? UNKNOWN);
      return [{ key, at: d.createdAt, counters: { cancels: 1 } }];
    }
    if (!open && !known && d.attempt === 1 && !force)
      return this.#wait(`c${d.campaignId}|${d.phone}`, { k: 'dial', v: d }, d.createdAt);
    const stream = open?.s ?? known?.s ?? UNKNOWN;
    this.table.put(taskId, {
      c: d.campaignId,
      s: stream,
      p: d.phone,
      at: d.createdAt,
    } satisfies TaskEntry);
    this.#putClient(
      id,
      d.campaignId,
      {
        st: 'Q',
        s: stream,
        t: d.taskId,
        a: d.attempt,
        ...(open?.ch === undefined ? {} : { ch: open.ch }),
        at: d.createdAt,
      },
      open,
    );
    const counters: Counters = { dispatches: 1 };
    if (d.attempt > 1) counters.recalls = 1;
    const facts: KpiFact[] = [{ key: campaignKey(d.campaignId, stream), at: d.createdAt, counters }];
    // Call events and results of this task read before it (another topic, read ahead) can be counted now.
    facts.push(...this.#resolve(`t${d.taskId}`));
    return facts;
  }

  /** A call event; without `force`, one of a task not read yet waits for the task's dial task. */
  #callEvent(e: CallEvent, force: boolean): KpiFact[] {
    const task = this.table.get(`t:${e.taskId}`) as TaskEntry | undefined;
    if (!task && !force) return this.#wait(`t${e.taskId}`, { k: 'call', v: e }, e.occurredAt);
    const key = task ? campaignKey(task.c, task.s) : campaignKey(UNKNOWN, UNKNOWN);
    const clientId = task ? `c:${task.c}|${task.p}` : undefined;
    const open = clientId ? (this.table.get(clientId) as ClientEntry | undefined) : undefined;
    const ours = open !== undefined && open.t === e.taskId && (e.attempt === null || e.attempt === open.a);
    const at = e.occurredAt;
    if (e.type === 'CALL_STARTED') {
      if (ours && open.st === 'Q' && task && clientId)
        this.#putClient(clientId, task.c, { ...open, st: 'C', at }, open);
      const counters: Counters = { 'calls.started': 1 };
      if (this.#contact(e.phone, at) > 1) counters.repeatContacts = 1;
      return [
        { key, at, counters },
        { key: operatorKey(e.operatorId), at, counters: { 'calls.started': 1 } },
      ];
    }
    const outcome = e.outcome ?? 'ANSWERED';
    const talk = outcome === 'ANSWERED' ? (e.durationSeconds ?? 0) : 0;
    if (ours && task && clientId) this.#putClient(clientId, task.c, undefined, open);
    const counters: Counters = { 'calls.ended': 1, [`calls.${outcome}`]: 1, talkSeconds: talk };
    const facts: KpiFact[] = [
      { key, at, counters },
      { key: operatorKey(e.operatorId), at, counters: { ...counters } },
    ];
    if (outcome === 'ANSWERED') {
      this.table.put(`e:${e.taskId}|${e.operatorId}`, { talk, at } satisfies EndedEntry);
      facts.push(...this.#resolve(`t${e.taskId}`)); // a save read before its call's end
    }
    return facts;
  }

  /** A save; without `force`, a first save whose task or call end is not read yet waits for them. */
  #result(r: CommunicationResult, force: boolean): KpiFact[] {
    const id = `m:${r.communicationId}`;
    const saved = this.table.get(id) as CommunicationEntry | undefined;
    if (saved?.st === 'F') return []; // FIXED is final: a later save changes nothing
    const task = this.table.get(`t:${r.taskId}`) as TaskEntry | undefined;
    const endedId = `e:${r.taskId}|${r.operatorId}`;
    const ended = saved ? undefined : (this.table.get(endedId) as EndedEntry | undefined);
    if (!saved && !force && (!task || !ended))
      return this.#wait(`t${r.taskId}`, { k: 'result', v: r }, r.savedAt);
    const campaign = saved?.c ?? task?.c ?? UNKNOWN;
    const stream = saved?.s ?? task?.s ?? UNKNOWN;
    const key = campaignKey(campaign, stream);
    const byCampaign: Counters = {};
    const byOperator: Counters = {};
    const both = (name: string, n = 1) => {
      byCampaign[name] = (byCampaign[name] ?? 0) + n;
      byOperator[name] = (byOperator[name] ?? 0) + n;
    };
    if (ended) {
      // The first save ends the wrap-up of an answered call: handle time = talk + wrap-up.
      const wrapUpMs = Math.max(0, r.savedAt - ended.at);
      both('wrapups');
      both('handleSeconds', ended.talk + wrapUpMs / 1000);
      if (r.state === 'FIXED' && wrapUpMs <= this.options.resultLimitMs) both('savedInTime');
      this.table.delete(endedId);
    }
    if (r.state === 'DRAFT') {
      if (!saved) {
        this.table.put(id, { st: 'D', c: campaign, s: stream, at: r.savedAt } satisfies CommunicationEntry);
        this.#drafts.set(r.communicationId, { key, at: r.savedAt });
        this.#draftSums = undefined;
        both('results.DRAFT');
      }
    } else {
      this.table.put(id, { st: 'F', c: campaign, s: stream, at: r.savedAt } satisfies CommunicationEntry);
      if (this.#drafts.delete(r.communicationId)) {
        byCampaign.reworked = 1;
        this.#draftSums = undefined;
      }
      both('results.FIXED');
      byCampaign[`result.${r.result ?? 'NONE'}`] = 1;
      if (r.result !== null && this.#conversions.has(r.result)) both('conversions');
    }
    const at = r.savedAt;
    const facts: KpiFact[] = [];
    if (Object.keys(byCampaign).length > 0) facts.push({ key, at, counters: byCampaign });
    if (Object.keys(byOperator).length > 0)
      facts.push({ key: operatorKey(r.operatorId), at, counters: byOperator });
    return facts;
  }

  /**
   * Keeps an event until what it joins with is read — `t<task>`: the task's dial task (or the call's end, for a
   * save); `c<campaign>|<phone>`: the candidate — or it waited `joinWaitMs`. It counts nothing meanwhile.
   */
  #wait(joinKey: string, event: WaitingEvent, at: number): KpiFact[] {
    const id = `w:${joinKey}`;
    const entry = this.table.get(id) as WaitingEntry | undefined;
    const since = entry?.since ?? this.options.clock();
    this.table.put(id, {
      ev: [...(entry?.ev ?? []), event],
      since,
      at: Math.max(at, entry?.at ?? at),
    } satisfies WaitingEntry);
    if (!this.#waiting.has(joinKey)) this.#waiting.set(joinKey, since);
    return [];
  }

  /** Counts the events that waited for `joinKey`, in the order they came; each may wait again for something else. */
  #resolve(joinKey: string, force = false): KpiFact[] {
    // `#waiting` indexes the `w:` entries: most records have nothing waiting for them, and a look in this small map
    // costs less than building the entry's key and looking in the tables
    if (!this.#waiting.has(joinKey)) return [];
    const id = `w:${joinKey}`;
    const entry = this.table.get(id) as WaitingEntry | undefined;
    if (!entry) return [];
    this.table.delete(id);
    this.#waiting.delete(joinKey);
    const facts: KpiFact[] = [];
    for (const event of entry.ev) {
      if (event.k === 'call') facts.push(...this.#callEvent(event.v, force));
      else if (event.k === 'result') facts.push(...this.#result(event.v, force));
      else facts.push(...this.#dialTask(event.v, force));
    }
    return facts;
  }

  /**
   * Adds the facts of events that waited longer than `joinWaitMs` (wall clock) for a task or a call's end that
   * never came: they count under an unknown campaign (`?`), a save without its handle time. Checked at most once
   * a second, piggybacking on the record being processed.
   */
  #withExpired(facts: KpiFact[]): KpiFact[] {
    if (this.#waiting.size === 0) return facts;
    const now = this.options.clock();
    if (now - this.#expiryCheckedAt < 1_000) return facts;
    this.#expiryCheckedAt = now;
    for (const [joinKey, since] of [...this.#waiting]) {
      if (now - since >= this.options.joinWaitMs) facts.push(...this.#resolve(joinKey, true));
    }
    return facts;
  }

  /** The current-state gauges. */
  gauges(): KpiGauges {
    if (!this.#draftSums) {
      const sums = new Map<string, { count: number; oldestAt: number }>();
      for (const { key, at } of this.#drafts.values()) {
        const d = sums.get(key);
        if (d) {
          d.count += 1;
          d.oldestAt = Math.min(d.oldestAt, at);
        } else sums.set(key, { count: 1, oldestAt: at });
      }
      this.#draftSums = sums;
    }
    const drafts = new Map([...this.#draftSums].map(([k, v]) => [k, { ...v }]));
    const operators = { loggedIn: 0, ready: 0, onBreak: 0 };
    for (const st of this.#operators.values()) {
      operators.loggedIn += 1;
      if (st === 'BREAK') operators.onBreak += 1;
      else operators.ready += 1; // a session just opened counts as ready: the dialer calls for it
    }
    return { tasks: new Map([...this.#tasks].map(([k, v]) => [k, { ...v }])), drafts, operators };
  }

  /**
   * Drops entries without news for the TTL (in event time: `now` is the stream time), a client's contacts once
   * their day is over, and a call's end an hour after it had no save. Returns how many were dropped.
   */
  prune(now: number): number {
    const { ttlMs } = this.options;
    const today = this.#dayOf(now);
    const stale: string[] = [];
    for (const [id, entry] of this.table.entries()) {
      const age = now - entry.at;
      const kind = id[0];
      if (kind === 'w') continue; // waiting events are counted when they expire, never dropped
      if (
        age > ttlMs ||
        (kind === 'p' && (entry as PhoneEntry).d < today) ||
        (kind === 'e' && age > HOUR) ||
        (kind === 'm' && (entry as CommunicationEntry).st === 'F' && age > DAY)
      ) {
        stale.push(id);
      }
    }
    for (const id of stale) {
      const entry = this.table.get(id) as TableEntry;
      if (id.startsWith('c:'))
        this.#countTask(this.#clientKey(id, entry as ClientEntry), (entry as ClientEntry).st, -1);
      if (id.startsWith('m:') && this.#drafts.delete(Number(id.slice(2)))) this.#draftSums = undefined;
      if (id.startsWith('o:')) this.#operators.delete(id);
      this.table.delete(id);
    }
    return stale.length;
  }

  /** Counts a contact of the phone on the event's local day; returns the day's contacts so far. */
  #contact(phone: string, at: number): number {
    const id = `p:${phone}`;
    const day = this.#dayOf(at);
    const seen = this.table.get(id) as PhoneEntry | undefined;
    if (seen && seen.d > day) return 1; // a call of an earlier day, arriving late: not a repeat of a later one
    const n = seen?.d === day ? seen.n + 1 : 1;
    this.table.put(id, { d: day, n, at } satisfies PhoneEntry);
    return n;
  }

  #dayOf(at: number): number {
    return Math.floor((at + this.options.utcOffsetMs) / DAY);
  }

  /** Sets (or with `next` undefined, removes) a client's open task, keeping the task gauges in step. */
  #putClient(
    id: string,
    campaign: number,
    next: ClientEntry | undefined,
    previous: ClientEntry | undefined,
  ): void {
    if (previous) this.#countTask(campaignKey(campaign, previous.s), previous.st, -1);
    if (next) {
      this.table.put(id, next);
      this.#countTask(campaignKey(campaign, next.s), next.st, 1);
    } else if (previous) {
      this.table.delete(id);
    }
  }

  #clientKey(id: string, entry: ClientEntry): string {
    return campaignKey(Number(id.slice(2, id.indexOf('|'))), entry.s);
  }

  #countTask(key: string, st: ClientEntry['st'], delta: number): void {
    let g = this.#tasks.get(key);
    if (!g) {
      g = { waiting: 0, queued: 0, calling: 0 };
      this.#tasks.set(key, g);
    }
    if (st === 'N') g.waiting += delta;
    else if (st === 'Q') g.queued += delta;
    else g.calling += delta;
  }

  /** The gauges are derived from the tables: count them once after a restore. */
  #rebuildGauges(): void {
    for (const [id, entry] of this.table.entries()) {
      if (id.startsWith('c:'))
        this.#countTask(this.#clientKey(id, entry as ClientEntry), (entry as ClientEntry).st, 1);
      else if (id.startsWith('m:') && (entry as CommunicationEntry).st === 'D') {
        const m = entry as CommunicationEntry;
        this.#drafts.set(Number(id.slice(2)), { key: campaignKey(m.c, m.s), at: m.at });
      } else if (id.startsWith('w:')) {
        this.#waiting.set(id.slice(2), (entry as WaitingEntry).since);
      } else if (id.startsWith('o:')) {
        const st = (entry as OperatorEntry).st;
        if (st !== 'CLOSE') this.#operators.set(id, st);
      }
    }
  }
}
