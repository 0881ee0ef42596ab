/**
 * Where a CALL_STARTED's latency goes, for `pnpm bench dialer`: the telephony and the transport handed to the dialer
 * are wrapped, and each started call's steps are stamped (ms since the epoch, fractional):
 *
 *   at (the call's start at the simulator) → poll sent → poll answered → produce called → produce acknowledged →
 *   appended (the broker's LogAppendTime of the record) → read back (the bench's consumer handed the record)
 *
 * The dialer's code is not touched: the stamps are taken at the ports it already calls.
 */
import type { CallEvent } from '@tm/contracts';
import type { Serde, Transport, TransportProducer } from '@tm/pipeline-core';
import type { Telephony } from '@tm/runners';

/** The clock every stamp reads: the epoch in ms, with the fraction performance.now gives. */
export const stamp = (): number => performance.timeOrigin + performance.now();

interface Steps {
  at: number;
  pollSent?: number;
  pollAnswered?: number;
  produceCalled?: number;
  produceAcked?: number;
  appended?: number;
  readBack?: number;
}

/** The steps between two stamps, named as the bench reports them. */
const SPANS = [
  ['wait for the poll', 'at', 'pollSent'],
  ['poll request', 'pollSent', 'pollAnswered'],
  ['answer to produce', 'pollAnswered', 'produceCalled'],
  ['produce to append', 'produceCalled', 'appended'],
  ['append to ack', 'appended', 'produceAcked'],
  ['ack to read back', 'produceAcked', 'readBack'],
] as const;

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

const ms = (value: number) => (Number.isNaN(value) ? '?' : value.toFixed(0));

/** Stamps each CALL_STARTED's steps through the dialer's telephony and producer. */
export class CallStartTrace {
  readonly #calls = new Map<string, Steps>();
  #recording = false;

  constructor(
    private readonly topic: string,
    private readonly serde: Serde<CallEvent>,
  ) {}

  /** From now on, started calls are traced (earlier phases of the bench are left out). */
  record(): void {
    this.#recording = true;
  }

  /** The telephony with its polls stamped: the first poll whose answer holds a call's STARTED. */
  telephony(inner: Telephony): Telephony {
    return {
      authenticate: (operatorId, credentials) => inner.authenticate(operatorId, credentials),
      setStatus: (session, status) => inner.setStatus(session, status),
      addTask: (task) => inner.addTask(task),
      addTasks: (tasks) => inner.addTasks(tasks),
      findTask: (reference) => inner.findTask(reference),
      deleteTask: (externalId) => inner.deleteTask(externalId),
      pollEvents: async (session, cursor) => {
        const pollSent = stamp();
        const page = await inner.pollEvents(session, cursor);
        const pollAnswered = stamp();
        if (this.#recording)
          for (const e of page.events)
            if (e.kind === 'STARTED' && !this.#calls.has(e.callId))
              this.#calls.set(e.callId, { at: e.at, pollSent, pollAnswered });
        return page;
      },
    };
  }

  /** The transport with its producers' sends stamped (the call events' producer among them). */
  transport(inner: Transport): Transport {
    return {
      kind: inner.kind,
      createConsumer: (options) => inner.createConsumer(options),
      createProducer: (options) => this.#producer(inner.createProducer(options)),
      ensureTopics: (topics) => inner.ensureTopics(topics),
      committedOffsets: (groupId, topic) => inner.committedOffsets(groupId, topic),
      close: () => inner.close(),
    };
  }

  /** The bench's consumer read a CALL_STARTED back; `appended` is the record's (LogAppendTime) timestamp. */
  readBack(event: CallEvent, appended: number, at: number): void {
    const steps = this.#calls.get(event.callId);
    if (steps === undefined) return;
    steps.appended ??= appended;
    steps.readBack ??= at;
  }

  /**
   * Each span's p50/p99 over the calls read back, and the mean of each span over the slowest 1% (by the measure
   * `total` gives): where the tail's time goes.
   */
  summary(total: (steps: Required<Steps>) => number): string {
    const done = [...this.#calls.values()].filter(
      (s): s is Required<Steps> =>
        s.readBack !== undefined && s.produceAcked !== undefined && s.appended !== undefined,
    );
    if (done.length === 0) return 'no call traced';
    const spans = SPANS.map(([name, from, to]) => {
      const values = done.map((s) => s[to] - s[from]).sort((a, b) => a - b);
      return `${name} ${ms(percentile(values, 50))}/${ms(percentile(values, 99))}`;
    });
    const slowest = [...done]
      .sort((a, b) => total(b) - total(a))
      .slice(0, Math.max(1, Math.ceil(done.length / 100)));
    const mean = (f: (s: Required<Steps>) => number) =>
      slowest.reduce((a, s) => a + f(s), 0) / slowest.length;
    const tail = SPANS.map(([name, from, to]) => `${name} ${ms(mean((s) => s[to] - s[from]))}`);
    return `p50/p99 of each step (ms) over ${done.length} calls: ${spans.join(', ')}; the slowest 1% (${slowest.length} calls, ${ms(mean(total))} ms on average) spent on average: ${tail.join(', ')}`;
  }

  #producer(inner: TransportProducer): TransportProducer {
    const traced: TransportProducer = {
      connect: () => inner.connect(),
      send: async (records) => {
        const produceCalled = stamp();
        const started: Steps[] = [];
        if (this.#recording)
          for (const r of records) {
            if (r.topic !== this.topic) continue;
            const event = this.serde.decode(r.value as Buffer) as CallEvent;
            const steps = event.type === 'CALL_STARTED' ? this.#calls.get(event.callId) : undefined;
            if (steps && steps.produceCalled === undefined) {
              steps.produceCalled = produceCalled;
              started.push(steps);
            }
          }
        await inner.send(records);
        const produceAcked = stamp();
        for (const steps of started) steps.produceAcked = produceAcked;
      },
      transaction: () => inner.transaction(),
      disconnect: () => inner.disconnect(),
    };
    if (inner.recover) traced.recover = () => (inner.recover as () => Promise<void>)();
    return traced;
  }
}
