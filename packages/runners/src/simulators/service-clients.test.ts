import { type CampaignConfig, ServicesSchema, SimulatorsSchema } from '@tm/contracts';
import {
  ApplicationEvaluationError,
  abramRequestOf,
  compileCampaigns,
  createFilterRegistry,
  createServiceClients,
  evaluateApplication,
  type ServiceClients,
  ServiceRequestError,
  ServiceUnavailableError,
} from '@tm/filters';
import { applicationFixture } from '@tm/filters/testing';
import { expect } from 'chai';
import { type RunningSimulators, startSimulators } from './start-simulators.js';

/**
 * The HTTP clients of @tm/filters against the simulators, in process: resilience, batching, memoisation, and
 * ml-skip-error end to end.
 */
describe('service clients against the simulators', () => {
  let sims: RunningSimulators;

  before(async () => {
    sims = await startSimulators(
      SimulatorsSchema.parse({
        seed: 'clients',
        blacklist: { port: 0 },
        casper: { port: 0, 'unknown-client-rate': 0 },
        abram: { port: 0, 'ml-fail-rate': 0, 'ml-error-rate': 0, 'no-products-rate': 0 },
        telephony: { port: 0 },
      }),
      { blacklist: [{ id: 'bl-1', phone: '79130000013', deviceId: 'dev-13', reason: 'fraud' }] },
    );
  });

  after(async () => {
    await sims.close();
  });

  beforeEach(() => {
    for (const s of [sims.blacklist, sims.casper, sims.abram]) s.faults.reset();
  });

  /** Clients made by a test, closed after it. */
  let made: ServiceClients[] = [];
  afterEach(async () => {
    await Promise.all(made.map((c) => c.close()));
    made = [];
  });

  /** Clients on the simulators with fast retries; `overrides` per service. */
  const clients = (overrides: Record<string, object> = {}) => {
    const fast = {
      'timeout-ms': 1000,
      retry: { 'max-retries': 2, 'initial-delay-ms': 5, 'max-delay-ms': 20 },
    };
    const client = createServiceClients(
      ServicesSchema.parse({
        blacklist: { url: sims.urls.blacklist, ...fast, ...overrides.blacklist },
        casper: { url: sims.urls.casper, ...fast, ...overrides.casper },
        abram: { url: sims.urls.abram, ...fast, ...overrides.abram },
      }),
    );
    made.push(client);
    return client;
  };

  async function failure(promise: Promise<unknown>): Promise<Error> {
    try {
      await promise;
    } catch (err) {
      return err as Error;
    }
    return expect.fail('expected the call to fail');
  }

  const subject = { phone: '79131234567', deviceId: 'dev-1' };

  describe('resilience', () => {
    it('retries an HTTP 500 and succeeds', async () => {
      sims.blacklist.faults.failNext(2);
      const records = await clients().blacklist.searchAll([subject]);
      expect(records).to.deep.equal([]);
      expect(sims.blacklist.faults.stats()).to.include({ requests: 3, errors: 2, answered: 1 });
    });

    it('gives up after max-retries with a retriable ServiceUnavailableError naming the attempts', async () => {
      sims.casper.faults.set({ errorRate: 1 });
      const err = await failure(
        clients().casper.findClient({ ...subject, passportSeries: null, passportNumber: null }),
      );
      expect(err).to.be.instanceOf(ServiceUnavailableError);
      expect(err).to.include({ service: 'casper', retriable: true, attempts: 3 });
      expect(err.message).to.equal(
        'casper clients/search: gave up after 3 attempt(s): HTTP 500: ' +
          '{"error":"INTERNAL","message":"casper failed (simulated)"}',
      );
      expect(sims.casper.faults.stats().requests).to.equal(3);
    });

    it('times out a slow answer per attempt, and retries it', async () => {
      sims.abram.faults.set({ latency: { fixedMs: 300, jitterMs: 0 } });
      const slow = clients({
        abram: { 'timeout-ms': 50, retry: { 'max-retries': 1, 'initial-delay-ms': 1 } },
      });
      const started = performance.now();
      const err = await failure(
        slow.abram.assess(abramRequestOf(applicationFixture({ phone: subject.phone }))),
      );
      expect(err).to.be.instanceOf(ServiceUnavailableError);
      expect(err.message).to.match(/gave up after 2 attempt\(s\): timed out$/);
      expect(performance.now() - started).to.be.below(290);
    });

    it('counts a refused connection as an outage: retried, then a retriable ServiceUnavailableError', async () => {
      const closed = await startSimulators(
        SimulatorsSchema.parse({
          blacklist: { port: 0 },
          casper: { port: 0 },
          abram: { port: 0 },
          telephony: { port: 0 },
        }),
      );
      const url = closed.urls.casper;
      await closed.close(); // nothing listens there any more
      const refused = clients({ casper: { url } });
      const err = await failure(
        refused.casper.findClient({ ...subject, passportSeries: null, passportNumber: null }),
      );
      expect(err).to.be.instanceOf(ServiceUnavailableError);
      expect(err).to.include({ service: 'casper', retriable: true, attempts: 3 });
      expect(err.message).to.match(/gave up after 3 attempt\(s\): .*ECONNREFUSED/);
    });

    it('does not retry a 4xx: the request is wrong, waiting will not fix it', async () => {
      // Abram refuses a phone longer than its schema allows.
      const err = await failure(
        clients().abram.assess(abramRequestOf(applicationFixture({ phone: '7'.repeat(40) }))),
      );
      expect(err).to.be.instanceOf(ServiceRequestError);
      expect(err).to.include({ status: 400, retriable: false });
      expect(err.message).to.match(/^abram assessments: HTTP 400: /);
      expect(err.message).not.to.match(/\d{6}/);
      expect(sims.abram.faults.stats().requests).to.equal(1);
    });

    it('opens the circuit breaker after consecutive failures, fails fast while open, closes after half-open', async () => {
      const c = clients({
        blacklist: {
          retry: { 'max-retries': 0 },
          'circuit-breaker': { 'consecutive-failures': 3, 'half-open-after-ms': 150 },
        },
      });
      sims.blacklist.faults.makeUnavailable(60_000);
      for (let i = 0; i < 3; i++) {
        expect(await failure(c.blacklist.searchAll([subject]))).to.be.instanceOf(ServiceUnavailableError);
      }
      expect(c.blacklist.policy.breakerState()).to.equal('open');
      const fast = await failure(c.blacklist.searchAll([subject]));
      expect(fast).to.be.instanceOf(ServiceUnavailableError);
      expect(fast.message).to.contain('circuit breaker is open');
      expect(sims.blacklist.faults.stats()).to.include({ requests: 3, unavailable: 3 });

      sims.blacklist.faults.makeUnavailable(0);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(await c.blacklist.searchAll([subject])).to.deep.equal([]);
      expect(c.blacklist.policy.breakerState()).to.equal('closed');
    });

    it('keeps at most max-in-flight requests at the service', async () => {
      sims.casper.faults.set({ latency: { fixedMs: 30, jitterMs: 0 } });
      const c = clients({ casper: { concurrency: { 'max-in-flight': 2 } } });
      const query = { ...subject, passportSeries: null, passportNumber: null };
      await Promise.all(Array.from({ length: 8 }, () => c.casper.findClient(query)));
      expect(sims.casper.faults.stats()).to.include({ requests: 8, peakInFlight: 2 });
    });
  });

  describe('BlackList batching', () => {
    it('sends N concurrent lookups as far fewer $or searches and splits the answers back', async () => {
      const c = clients({ blacklist: { batch: { 'window-ms': 5, 'max-size': 50 } } });
      const subjects = Array.from({ length: 200 }, (_, i) => ({
        phone: i === 13 ? '79130000013' : `7913${String(i).padStart(7, '0')}`,
        deviceId: i === 77 ? 'dev-13' : i % 3 === 0 ? null : `dev-x${i}`,
      }));
      const answers = await Promise.all(subjects.map((s) => c.blacklist.search(s)));
      const requests = sims.blacklist.faults.stats().requests;
      expect(requests).to.be.within(4, 8); // 200 / max-size 50 = 4 when all arrive in one window
      const hits = answers.flatMap((records, i) => (records.length > 0 ? [i] : []));
      expect(hits).to.deep.equal([13, 77]);
      expect(answers[13]?.[0]).to.include({ id: 'bl-1', reason: 'fraud' });
    });

    it('fails every lookup of a batch whose search fails, retriably', async () => {
      const c = clients({ blacklist: { retry: { 'max-retries': 0 } } });
      sims.blacklist.faults.set({ errorRate: 1 });
      const results = await Promise.allSettled([
        c.blacklist.search(subject),
        c.blacklist.search({ ...subject, phone: '79130000001' }),
      ]);
      expect(sims.blacklist.faults.stats().requests).to.equal(1);
      for (const r of results) {
        expect(r.status).to.equal('rejected');
        expect((r as PromiseRejectedResult).reason).to.be.instanceOf(ServiceUnavailableError);
      }
    });
  });

  describe('evaluateApplication over HTTP', () => {
    const campaign = (id: number, filtersOrder: string[], mlSkipError = false): CampaignConfig => ({
      campaignId: id,
      name: `c${id}`,
      description: undefined,
      dataStreams: ['MOBILE_LOANS'],
      requestStatuses: ['registered'],
      filtersOrder,
      mlSkipError,
      settings: {},
    });
    const registry = createFilterRegistry();

    it('asks each service at most once per application across several campaigns', async () => {
      const campaigns = compileCampaigns(
        [
          campaign(1, ['PHONE_BLACK_LIST', 'ML_DEVICE', 'ML_PHONE', 'ML_FACE', 'ML_DOCUMENT']),
          campaign(2, ['PHONE_BLACK_LIST', 'PRODUCTS_AVAILABLE']),
          campaign(3, ['ML_PHONE', 'PRODUCTS_AVAILABLE']),
        ],
        registry,
      );
      const c = clients();
      const outcomes = await evaluateApplication(applicationFixture(), campaigns, c);
      expect(outcomes.map((o) => o.kind)).to.deep.equal(['candidate', 'candidate', 'candidate']);
      const [first] = outcomes;
      expect(first?.kind === 'candidate' && first.casperProfile?.timeZone).to.match(/\//);
      expect(first?.kind === 'candidate' && first.products.length).to.be.greaterThan(0);
      expect(sims.blacklist.faults.stats().requests).to.equal(1);
      expect(sims.casper.faults.stats().requests).to.equal(1);
      expect(sims.abram.faults.stats().requests).to.equal(1);
    });

    it('honours ml-skip-error both ways when Abram reports an ML error', async () => {
      // Every check of this seed errs now.
      const erring = await startSimulators(
        SimulatorsSchema.parse({
          seed: 'e',
          blacklist: { port: 0 },
          casper: { port: 0 },
          abram: { port: 0, 'ml-error-rate': 1 },
          telephony: { port: 0 },
        }),
      );
      try {
        const c = createServiceClients(
          ServicesSchema.parse({
            blacklist: { url: erring.urls.blacklist },
            casper: { url: erring.urls.casper },
            abram: { url: erring.urls.abram },
          }),
        );
        const campaigns = compileCampaigns(
          [campaign(1, ['ML_FACE'], false), campaign(2, ['ML_FACE'], true)],
          registry,
        );
        const [strict, lenient] = await evaluateApplication(applicationFixture(), campaigns, c);
        expect(strict).to.include({ kind: 'rejection', filter: 'ML_FACE', reason: 'ML_ERROR' });
        expect(lenient).to.include({ kind: 'candidate' });
        expect(lenient?.notes[0]).to.match(/^ML_FACE: face check ended in ERROR .*passed by ml-skip-error$/);
        made.push(c);
      } finally {
        await erring.close();
      }
    });

    it('never passes nor rejects while a service is down: the application fails retriably', async () => {
      sims.abram.faults.makeUnavailable(60_000);
      const campaigns = compileCampaigns([campaign(1, ['ML_PHONE'], true)], registry);
      const err = await failure(evaluateApplication(applicationFixture(), campaigns, clients()));
      expect(err).to.be.instanceOf(ApplicationEvaluationError);
      expect(err).to.include({ retriable: true, step: 'ML_PHONE', campaignId: 1 });
      expect((err as ApplicationEvaluationError).cause).to.be.instanceOf(ServiceUnavailableError);
      expect(sims.abram.faults.stats().unavailable).to.equal(3);
    });
  });
});
