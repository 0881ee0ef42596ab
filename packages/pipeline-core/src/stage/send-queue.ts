import type { OutboundRecord } from '../record.js';
import type { TransportProducer } from '../transport/types.js';

interface Pending {
  records: readonly OutboundRecord[];
  done: () => void;
}

/**
 * Produces outputs in the order they were handed over, one request at a time: whatever arrives while a request is
 * in flight goes into the next one (natural batching, no linger needed beyond one tick). Each caller's `done` runs
 * once its records were acknowledged. A failed request fails every later one too: the stage stops, and the
 * unacknowledged records' offsets, never committed, are redelivered on restart.
 */
export class SendQueue {
  #pending: Pending[] = [];
  #busy = false;
  #failure: Error | undefined;
  #idleWaiters: (() => void)[] = [];

  constructor(
    private readonly producer: TransportProducer,
    private readonly onFailure: (error: Error) => void,
    private readonly maxRecordsPerRequest = 10_000,
  ) {}

  get idle(): boolean {
    return !this.#busy && this.#pending.length === 0;
  }

  enqueue(records: readonly OutboundRecord[], done: () => void): void {
    if (this.#failure) return;
    this.#pending.push({ records, done });
    if (!this.#busy) {
      this.#busy = true;
      setImmediate(() => void this.#flush());
    }
  }

  async #flush(): Promise<void> {
    while (this.#pending.length > 0 && !this.#failure) {
      const batch: Pending[] = [];
      const records: OutboundRecord[] = [];
      while (this.#pending.length > 0 && records.length < this.maxRecordsPerRequest) {
        const next = this.#pending.shift() as Pending;
        batch.push(next);
        for (const r of next.records) records.push(r);
      }
      try {
        await this.producer.send(records);
      } catch (err) {
        this.#failure = err instanceof Error ? err : new Error(String(err));
        this.#pending = [];
        this.onFailure(this.#failure);
        break;
      }
      for (const p of batch) p.done();
    }
    this.#busy = false;
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const w of waiters) w();
  }

  /** Resolves once nothing is queued or in flight. */
  whenIdle(): Promise<void> {
    if (this.idle) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }
}
