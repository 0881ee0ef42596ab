import { type Periodic, runEvery } from '@tm/pipeline-core';
import type { Logger } from 'pino';

/** A check of one dependency: resolves when it answers. */
export type DependencyCheck = () => Promise<unknown>;

/**
 * Checks a service's dependencies (database, Redis, the security service) every `intervalMs`, each with a timeout,
 * and remembers which answer: the service is ready while all of them do. A change is logged once (down, then up
 * again), so an outage of a minute shows as two log lines, not one per request.
 */
export class DependencyProbe {
  readonly #down = new Map<string, string>();
  #periodic: Periodic | undefined;

  constructor(
    private readonly checks: Readonly<Record<string, DependencyCheck>>,
    private readonly options: { intervalMs?: number; timeoutMs?: number; logger?: Logger } = {},
  ) {}

  /** Runs every check once now, then on the interval. */
  async start(): Promise<void> {
    await this.probe();
    this.#periodic ??= runEvery(
      this.options.intervalMs ?? 1000,
      () => this.probe(),
      () => {},
    );
  }

  async stop(): Promise<void> {
    await this.#periodic?.stop();
    this.#periodic = undefined;
  }

  /** True while every dependency answered its last check. */
  ready(): boolean {
    return this.#down.size === 0;
  }

  /** `name: error` of each dependency down, or null. */
  reason(): string | null {
    return this.#down.size === 0 ? null : [...this.#down].map(([n, e]) => `${n}: ${e}`).join('; ');
  }

  /** Runs every check now. */
  async probe(): Promise<void> {
    const timeoutMs = this.options.timeoutMs ?? 2000;
    await Promise.all(
      Object.entries(this.checks).map(async ([name, check]) => {
        let timer: NodeJS.Timeout | undefined;
        try {
          await Promise.race([
            check(),
            new Promise((_, reject) => {
              timer = setTimeout(() => reject(new Error(`no answer in ${timeoutMs} ms`)), timeoutMs);
            }),
          ]);
          if (this.#down.delete(name)) this.options.logger?.info({ dependency: name }, 'dependency is back');
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          if (!this.#down.has(name))
            this.options.logger?.warn({ dependency: name, error: message }, 'dependency down; unready');
          this.#down.set(name, message);
        } finally {
          clearTimeout(timer);
        }
      }),
    );
  }
}
