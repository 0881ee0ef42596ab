/** Options of a {@link SenderLoop}. */
export interface SenderLoopOptions {
  /** A round that took this many found more work waiting: the next one runs at once. */
  batchSize: number;
  /** After a round that found less, the loop sleeps this long, or until {@link SenderLoop.wake}. */
  idleMs: number;
  onError: (error: unknown) => void;
}

/**
 * Runs the sender's rounds one after another: at once while they find full batches, otherwise after `idleMs` or as
 * soon as new instructions were stored ({@link wake}), so a dial task waits for no timer. A failed round is reported
 * and the loop goes on after `idleMs`. {@link stop} waits for the round in progress (no send is cut in two).
 */
export class SenderLoop {
  #running: Promise<void> | undefined;
  #stopped = false;
  #wake: (() => void) | undefined;
  #woken = false;

  constructor(
    private readonly round: () => Promise<number>,
    private readonly o: SenderLoopOptions,
  ) {}

  start(): void {
    this.#stopped = false;
    this.#running ??= this.#loop();
  }

  /** New work is waiting: end the sleep now. */
  wake(): void {
    this.#woken = true;
    this.#wake?.();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#wake?.();
    await this.#running;
    this.#running = undefined;
  }

  async #loop(): Promise<void> {
    while (!this.#stopped) {
      this.#woken = false;
      let taken = 0;
      try {
        taken = await this.round();
      } catch (error) {
        this.o.onError(error);
      }
      if (taken >= this.o.batchSize || this.#stopped || this.#woken) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, this.o.idleMs);
        function done() {
          clearTimeout(timer);
          resolve();
        }
        this.#wake = done;
      });
      this.#wake = undefined;
    }
  }
}
