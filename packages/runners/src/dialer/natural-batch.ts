/**
 * Runs `flush` over items handed in with {@link add}: the first item goes at once, items handed in while a flush runs
 * go together in the next one (natural batching: one statement or one send for many items under load, no wait when
 * idle). {@link add} resolves when the flush holding its item succeeded, and rejects with that flush's error.
 */
export class NaturalBatch<T> {
  #pending: { item: T; resolve: () => void; reject: (error: unknown) => void }[] = [];
  #busy = false;

  constructor(
    private readonly flush: (items: T[]) => Promise<void>,
    private readonly maxBatch = 1000,
  ) {}

  add(item: T): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#pending.push({ item, resolve, reject });
      if (!this.#busy) {
        this.#busy = true;
        void this.#run();
      }
    });
  }

  async #run(): Promise<void> {
    while (this.#pending.length > 0) {
      const batch = this.#pending.splice(0, this.maxBatch);
      try {
        await this.flush(batch.map((p) => p.item));
        for (const p of batch) p.resolve();
      } catch (error) {
        for (const p of batch) p.reject(error);
      }
    }
    this.#busy = false;
  }
}
