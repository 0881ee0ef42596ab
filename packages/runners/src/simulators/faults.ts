import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';
import { seededUnit } from './seeded.js';

/** How a simulator misbehaves: added latency, and a share of requests answered with HTTP 500. */
export interface FaultSettings {
  readonly latency: { readonly fixedMs: number; readonly jitterMs: number };
  readonly errorRate: number;
}

/** Requests a simulator received, by outcome. */
export interface SimulatorStats {
  /** Every request to the service's API (admin routes not counted). */
  requests: number;
  /** Answered with the injected HTTP 500. */
  errors: number;
  /** Answered with HTTP 503 while made unavailable. */
  unavailable: number;
  /** Answered normally (2xx) or refused as invalid (400). */
  answered: number;
  /** Most requests being handled at the same moment. */
  peakInFlight: number;
}

/**
 * Faults of one simulator, changeable while it runs. Draws (jitter, errors) come from {@link seededUnit} over
 * the seed and a request counter, so the same sequence of requests meets the same faults.
 */
export class FaultControl {
  #settings: FaultSettings;
  readonly #initial: FaultSettings;
  #unavailableUntil = 0;
  #draw = 0;
  #failNext = 0;
  #inFlight = 0;
  readonly #stats: SimulatorStats = { requests: 0, errors: 0, unavailable: 0, answered: 0, peakInFlight: 0 };

  constructor(
    private readonly seed: string | number,
    private readonly service: string,
    settings: FaultSettings,
  ) {
    this.#settings = settings;
    this.#initial = settings;
  }

  /** Back to the settings it started with: available, no forced failures, counters at zero. */
  reset(): void {
    this.#settings = this.#initial;
    this.#unavailableUntil = 0;
    this.#failNext = 0;
    this.resetStats();
  }

  /** Replaces some of the fault settings. */
  set(settings: Partial<FaultSettings>): void {
    this.#settings = { ...this.#settings, ...settings };
  }

  get settings(): FaultSettings {
    return this.#settings;
  }

  /** Answers every request with HTTP 503 for `ms` milliseconds from now (0 ends it). */
  makeUnavailable(ms: number): void {
    this.#unavailableUntil = ms > 0 ? Date.now() + ms : 0;
  }

  /** Answers the next `count` requests with HTTP 500, whatever the error rate. */
  failNext(count: number): void {
    this.#failNext = count;
  }

  isUnavailable(): boolean {
    return Date.now() < this.#unavailableUntil;
  }

  /** A copy of the counters. */
  stats(): SimulatorStats {
    return { ...this.#stats };
  }

  resetStats(): void {
    Object.assign(this.#stats, { requests: 0, errors: 0, unavailable: 0, answered: 0, peakInFlight: 0 });
  }

  /** Installs the faults on every route of `app` except the /__sim admin routes, and the admin routes. */
  install(app: FastifyInstance): void {
    app.addHook('onRequest', async (request, reply) => {
      if (request.url.startsWith('/__sim/')) return;
      this.#stats.requests += 1;
      this.#inFlight += 1;
      this.#stats.peakInFlight = Math.max(this.#stats.peakInFlight, this.#inFlight);
      const draw = this.#draw++;
      if (this.isUnavailable()) {
        this.#stats.unavailable += 1;
        return reply
          .code(503)
          .send({ error: 'UNAVAILABLE', message: `${this.service} is unavailable (simulated)` });
      }
      const { latency, errorRate } = this.#settings;
      const delay = latency.fixedMs + latency.jitterMs * seededUnit(this.seed, this.service, 'jitter', draw);
      if (delay > 0) await sleep(delay);
      const forced = this.#failNext > 0;
      if (forced) this.#failNext -= 1;
      if (forced || (errorRate > 0 && seededUnit(this.seed, this.service, 'error', draw) < errorRate)) {
        this.#stats.errors += 1;
        return reply.code(500).send({ error: 'INTERNAL', message: `${this.service} failed (simulated)` });
      }
      this.#stats.answered += 1;
    });
    app.addHook('onResponse', async (request) => {
      if (!request.url.startsWith('/__sim/')) this.#inFlight -= 1;
    });

    app.get('/__sim/stats', async () => this.stats());
    app.post<{ Body: { 'for-ms': number } }>(
      '/__sim/unavailable',
      {
        schema: {
          body: {
            type: 'object',
            required: ['for-ms'],
            properties: { 'for-ms': { type: 'integer', minimum: 0 } },
            additionalProperties: false,
          },
        },
      },
      async (request) => {
        this.makeUnavailable(request.body['for-ms']);
        return { unavailableForMs: request.body['for-ms'] };
      },
    );
  }
}
