import type { CasperProfile } from '@tm/contracts';
import type { AbramAssessment, BlacklistRecord, MlCheckResult, Services } from '../services/types.js';

/** Calls made to {@link fakeServices}, per service. */
export interface FakeCalls {
  blacklist: number;
  casper: number;
  abram: number;
}

/** What {@link fakeServices} answers; a function may throw to simulate an unavailable service. */
export interface FakeAnswers {
  blacklist?: () => readonly BlacklistRecord[];
  casper?: () => CasperProfile | null;
  abram?: () => AbramAssessment;
}

/** A Casper profile in Moscow, with `overrides` applied. */
export function casperProfileFixture(overrides: Partial<CasperProfile> = {}): CasperProfile {
  return {
    clientId: 'C1',
    timeZone: 'Europe/Moscow',
    region: null,
    segment: null,
    activeLoans: 0,
    lastActivityAt: null,
    attributes: {},
    ...overrides,
  };
}

const passed: MlCheckResult = { status: 'PASSED', reason: null };

/** Abram answering every check PASSED with one express product, with `checks` overriding some of them. */
export function abramAnswer(
  checks: Partial<AbramAssessment['checks']> = {},
  products: AbramAssessment['products'] = [
    {
      productType: 'express',
      minAmount: 1000,
      maxAmount: 30_000,
      interestRate: 80,
      term: 30,
      termUnit: 'day',
    },
  ],
): AbramAssessment {
  return { checks: { device: passed, phone: passed, face: passed, document: passed, ...checks }, products };
}

/**
 * In-memory services for framework tests: answers from `answers` (default: not blacklisted, unknown to Casper,
 * everything passes at Abram), each call counted in `calls`.
 */
export function fakeServices(answers: FakeAnswers = {}): Services & { calls: FakeCalls } {
  const calls: FakeCalls = { blacklist: 0, casper: 0, abram: 0 };
  return {
    calls,
    blacklist: {
      search: async () => {
        calls.blacklist += 1;
        return answers.blacklist?.() ?? [];
      },
    },
    casper: {
      findClient: async () => {
        calls.casper += 1;
        return answers.casper ? answers.casper() : null;
      },
    },
    abram: {
      assess: async () => {
        calls.abram += 1;
        return answers.abram?.() ?? abramAnswer();
      },
    },
  };
}
