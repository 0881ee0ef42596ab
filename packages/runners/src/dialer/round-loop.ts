/** Options of a {@link RoundLoop}. */
export interface RoundLoopOptions<R> {
  /**
   * How long to wait after a round before the next one, from what it returned and how long it took (0: at once).
   * Not called after a failed round: the loop then waits `afterFailureMs`.
   */
  pauseAfter: (result: R, elapsedMs: number) => number;
  afterFailureMs: number;
  onError: (error: unknown) => void;
}

/**
 * Runs rounds of work one after another, never two at once, waiting between them what `pauseAfter` says — or less,
 * when {@link wake} says new work is waiting. The sender runs its next round at once after a full batch, else after its
 * idle interval; the poller starts a round a poll interval after the previous one started, or at once when that one
 * took longer (a slow round delays the next, it never skips it). A failed round is reported and the loop goes on.
 * {@link stop} waits for the round in progress.
 */
export class RoundLoop<R> {
  #running: Promise<void> | undefined;
  #stopped = false;
  #wake: (() => void) | undefined;
  #woken = false;

  constructor(
    private readonly round: () => Promise<R>,
    private readonly o: RoundLoopOptions<R>,
  ) {}

  start(): void {
    this.#stopped = false;
    this.#running ??= this.#loop();
  }

  /** New work is waiting: end the pause now. */
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
      const started = performance.now();
      let pause: number;
      try {
        const result = await this.round();
        pause = this.o.pauseAfter(result, performance.now() - started);
      } catch (error) {
        this.o.onError(error);
        pause = this.o.afterFailureMs;
      }
      if (pause <= 0 || this.#stopped || this.#woken) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, pause);
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
