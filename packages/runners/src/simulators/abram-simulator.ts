import { ABRAM_ASSESS, type AbramAssessBody, requestJsonSchema } from '@tm/filters';
import type { FastifyInstance } from 'fastify';
import type { FaultControl } from './faults.js';
import { seededUnit } from './seeded.js';
import { createSimulatorServer } from './simulator-server.js';

/** How often Abram's simulated checks fail or err, and how often a client gets no product. */
export interface AbramRates {
  readonly mlFailRate: number;
  readonly mlErrorRate: number;
  readonly noProductsRate: number;
}

type AssessmentBody = AbramAssessBody;

const assessmentSchema = { body: requestJsonSchema(ABRAM_ASSESS) };

type Check = 'device' | 'phone' | 'face' | 'document';

/** The subject each check looks at, or null when the request lacks it. */
function subjectOf(check: Check, body: AssessmentBody): string | null {
  switch (check) {
    case 'device':
      return body.device_id || null;
    case 'phone':
      return body.phone;
    case 'face':
      return body.face_id || null;
    case 'document':
      return body.passport?.series && body.passport.number
        ? `${body.passport.series}${body.passport.number}`
        : null;
  }
}

/**
 * One check's answer: NOT_CHECKED without a subject; otherwise, with u = {@link seededUnit}(seed, `ml-<check>`,
 * subject), ERROR when u < mlErrorRate, FAILED when u < mlErrorRate + mlFailRate, else PASSED.
 */
export function abramCheckFor(
  seed: string | number,
  rates: AbramRates,
  check: Check,
  subject: string | null,
): { status: string; reason: string | null } {
  if (subject === null) return { status: 'NOT_CHECKED', reason: `no ${check} subject in the request` };
  const u = seededUnit(seed, `ml-${check}`, subject);
  if (u < rates.mlErrorRate)
    return { status: 'ERROR', reason: 'model could not score the subject (simulated)' };
  if (u < rates.mlErrorRate + rates.mlFailRate)
    return { status: 'FAILED', reason: `${check} flagged (simulated)` };
  return { status: 'PASSED', reason: null };
}

const roundDown = (amount: number, step: number) => Math.floor(amount / step) * step;
const clamp = (value: number, min: number, max: number) => Math.min(max, Math.max(min, value));

/**
 * Products for a client: none for the share `noProductsRate` of phones; otherwise an express loan sized on the
 * requested amount (15,000 when absent), and for repeaters a consumer loan as well. Interest is percent per day
 * × 100.
 */
export function abramProductsFor(seed: string | number, rates: AbramRates, body: AssessmentBody): unknown[] {
  if (seededUnit(seed, 'abram-products', body.phone) < rates.noProductsRate) return [];
  const base = body.requested_amount ?? 15_000;
  const repeater = body.client_type === 'repeater';
  const products: unknown[] = [
    {
      product_type: 'express',
      min_amount: 1_000,
      max_amount: clamp(roundDown(base * (repeater ? 2 : 1.2), 1_000), 3_000, repeater ? 100_000 : 30_000),
      interest_rate: repeater ? 80 : 100,
      term: 30,
      term_unit: 'day',
    },
  ];
  if (repeater) {
    products.push({
      product_type: 'consumer',
      min_amount: 30_000,
      max_amount: clamp(roundDown(base * 5, 1_000), 50_000, 500_000),
      interest_rate: 5,
      term: 12,
      term_unit: 'month',
    });
  }
  return products;
}

/**
 * The Abram stand-in (thesis §2.3.3): `POST /api/abram/v1/assessments` answers the four ML checks and the
 * products, all derived from the request and the seed.
 */
export function createAbramSimulator(
  seed: string | number,
  rates: AbramRates,
  faults: FaultControl,
): FastifyInstance {
  const app = createSimulatorServer();
  faults.install(app);
  app.post<{ Body: AssessmentBody }>(ABRAM_ASSESS.path, { schema: assessmentSchema }, async (request) => {
    const body = request.body;
    const check = (c: Check) => abramCheckFor(seed, rates, c, subjectOf(c, body));
    return {
      application_number: body.application_number,
      checks: {
        device: check('device'),
        phone: check('phone'),
        face: check('face'),
        document: check('document'),
      },
      products: abramProductsFor(seed, rates, body),
    };
  });
  return app;
}
