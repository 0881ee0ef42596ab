/**
 * Records what a service provider tried, so that a failure names the service and every attempt.
 */
export class TestServiceUnavailableError extends Error {
  constructor(
    readonly service: 'Kafka' | 'PostgreSQL' | 'Redis' | 'Chromium' | 'Schema Registry',
    readonly attempts: readonly string[],
  ) {
    super(
      `${service} is not available for the tests. Tried, in order:\n${attempts.map((a) => `  - ${a}`).join('\n')}`,
    );
    this.name = 'TestServiceUnavailableError';
  }
}

/** An ordered log of provisioning attempts for one service. */
export class Attempts {
  readonly #lines: string[] = [];
  constructor(readonly service: TestServiceUnavailableError['service']) {}

  tried(what: string, outcome: string): void {
    this.#lines.push(`${what}: ${outcome}`);
  }

  fail(): never {
    throw new TestServiceUnavailableError(this.service, this.#lines);
  }
}

/** The message of an unknown thrown value, on one line. */
export function reason(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.split('\n')[0]?.trim() || 'unknown error';
}
