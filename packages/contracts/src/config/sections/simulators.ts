import { z } from 'zod';
import { millis } from './common.js';

/**
 * `simulators`: the stand-ins for BlackList, Casper and Abram (`tm run simulators`, the embedded demo, fault tests).
 * Owned by @tm/runners. Answers are deterministic given `seed` and the request; latency and HTTP 500s are drawn
 * from the seed too, so a run is repeatable. Port 0 picks a free port (tests).
 */
const rate = z.number().min(0).max(1);

const LatencySchema = z
  .object({
    /** Added to every answer. */
    'fixed-ms': millis.default(0),
    /** Plus a uniform random 0..jitter-ms. */
    'jitter-ms': millis.default(0),
  })
  .strict()
  .transform((l) => ({ fixedMs: l['fixed-ms'], jitterMs: l['jitter-ms'] }));

const faultKeys = (defaultPort: number) => ({
  port: z.number().int().min(0).max(65_535).default(defaultPort),
  latency: LatencySchema.prefault({}),
  /** Share of requests answered with HTTP 500 (transient failure). */
  'error-rate': rate.default(0),
});

const faultsOf = <T extends { port: number; latency: z.output<typeof LatencySchema>; 'error-rate': number }>(
  s: T,
) => ({ port: s.port, latency: s.latency, errorRate: s['error-rate'] });

export const SimulatorsSchema = z
  .object({
    host: z.string().min(1).default('127.0.0.1'),
    seed: z.union([z.number().int(), z.string().min(1)]).default(1),
    blacklist: z
      .object({
        ...faultKeys(7101),
        /** YAML file of blacklisted phones and device ids, relative to the config file. None: an empty list. */
        file: z.string().min(1).optional(),
      })
      .strict()
      .prefault({})
      .transform((s) => ({ ...faultsOf(s), file: s.file })),
    casper: z
      .object({
        ...faultKeys(7102),
        /** Share of phones Casper knows nothing about (answered with `client: null`). */
        'unknown-client-rate': rate.default(0.1),
      })
      .strict()
      .prefault({})
      .transform((s) => ({ ...faultsOf(s), unknownClientRate: s['unknown-client-rate'] })),
    abram: z
      .object({
        ...faultKeys(7103),
        /** Share of subjects (device, phone, face, document) whose ML check fails. */
        'ml-fail-rate': rate.default(0.05),
        /** Share of subjects whose ML check ends in ERROR (the model could not decide). */
        'ml-error-rate': rate.default(0.01),
        /** Share of clients offered no product. */
        'no-products-rate': rate.default(0.05),
      })
      .strict()
      .prefault({})
      .transform((s) => ({
        ...faultsOf(s),
        mlFailRate: s['ml-fail-rate'],
        mlErrorRate: s['ml-error-rate'],
        noProductsRate: s['no-products-rate'],
      })),
  })
  .strict();

export type SimulatorsConfig = z.output<typeof SimulatorsSchema>;
