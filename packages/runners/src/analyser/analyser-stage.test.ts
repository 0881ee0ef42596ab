import type { Application, Candidate, Rejection } from '@tm/contracts';
import { createServiceClients, ServiceRequestError, ServiceUnavailableError } from '@tm/filters';
import {
  abramAnswer,
  applicationFixture,
  casperProfileFixture,
  fakeServices,
  moscowTime,
} from '@tm/filters/testing';
import { eventually } from '@tm/pipeline-core/testing';
import { expect } from 'chai';
import { AnalyserHarness, testConfig } from './analyser.test-support.js';

/** A MOBILE_LOANS application that passes every filter of config/pipeline.yaml's campaign 1 (figure 25). */
const good = (n: number, overrides: Partial<Application> = {}) =>
  applicationFixture({
    applicationNumber: String(1000 + n),
    phone: `7913124${String(n).padStart(4, '0')}`,
    createdAt: moscowTime('2024-03-01T10:00:00'),
    ...overrides,
  });

const unavailable = (service: 'blacklist' | 'casper' | 'abram') =>
  new ServiceUnavailableError(service, 'call', 4, 'HTTP 503');

describe('analyser stage (memory transport)', () => {
  let harness: AnalyserHarness | undefined;

  afterEach(async () => {
    await harness?.stop();
    harness = undefined;
  });

  const decode = <T>(h: AnalyserHarness, topic: string, serde: { decode(b: Buffer): T | Promise<T> }) =>
    Promise.all(
      h
        .raw(topic)
        .map(async (r) => ({ key: r.key?.toString(), value: await serde.decode(r.value as Buffer) })),
    );

  it('publishes one candidate or one rejection per campaign, keyed by phone', async () => {
    const services = fakeServices({ casper: () => casperProfileFixture({ clientId: 'C-7' }) });
    harness = await new AnalyserHarness(testConfig(), services).start();
    const apps = [good(1), good(2, { citizenship: 'BLR' }), good(3, { dataStream: 'POS_REJECT' })];
    harness.publish(apps);
    const { topics } = harness.config;
    await eventually(
      () => harness!.raw(topics.candidates).length + harness!.raw(topics.rejections).length >= 6,
      'six decisions',
    );
    const candidates = await decode(harness, topics.candidates, harness.serdes.candidate);
    const rejections = await decode(harness, topics.rejections, harness.serdes.rejection);

    expect(candidates.map((c) => [c.key, c.value.candidateId])).to.deep.equal([['79131240001', '1001:1']]);
    const candidate = candidates[0]?.value as Candidate;
    expect(candidate).to.deep.include({ campaignId: 1, phone: '79131240001' });
    expect({ ...candidate.application }).to.deep.equal(apps[0]);
    expect(candidate.casperProfile?.clientId).to.equal('C-7');
    expect(candidate.products.map((p) => ({ ...p }))).to.deep.equal(abramAnswer().products);
    expect(candidate.filtersPassed).to.deep.equal([
      'DATA_STREAM',
      'REQUEST_STATUS',
      'RESIDENCE',
      'AGE',
      'PHONE_TEMPLATES',
      'PHONE_BLACK_LIST',
      'ML_DEVICE',
      'ML_PHONE',
      'ML_FACE',
      'ML_DOCUMENT',
    ]);

    const byApp = rejections.map((r) => [
      r.key,
      r.value.applicationNumber,
      r.value.campaignId,
      r.value.filter,
    ]);
    expect(byApp).to.have.deep.members([
      ['79131240001', '1001', 2, 'DATA_STREAM'],
      ['79131240002', '1002', 1, 'RESIDENCE'],
      ['79131240002', '1002', 2, 'DATA_STREAM'],
      ['79131240003', '1003', 1, 'DATA_STREAM'],
      ['79131240003', '1003', 2, 'REQUEST_STATUS'],
    ]);
    // the third application (POS_REJECT, registered) fails campaign 2's request statuses (scored, canceled)
    const third = rejections.find((r) => r.value.applicationNumber === '1003' && r.value.campaignId === 2);
    expect(third?.value).to.deep.include({
      maskedPhone: '+7 (***) ***-00-03',
      dataStream: 'POS_REJECT',
      filter: 'REQUEST_STATUS',
    } satisfies Partial<Rejection>);
    expect(JSON.stringify(rejections.map((r) => r.value))).not.to.contain('79131240003');
    // Casper only for the candidate, Abram only where an ML filter or the enrichment needed it
    expect(services.calls).to.deep.equal({ blacklist: 1, casper: 1, abram: 1 });
  });

  it('an application whose service is down waits, retries, and asks again only the service that failed', async () => {
    let abramFailures = 3;
    const services = fakeServices({
      abram: () => {
        if (abramFailures-- > 0) throw unavailable('abram');
        return abramAnswer();
      },
    });
    harness = await new AnalyserHarness(testConfig(), services).start();
    harness.publish([good(1)]);
    const { topics } = harness.config;
    await eventually(() => harness!.raw(topics.candidates).length === 1, 'the candidate after the retries');
    expect(harness.raw(topics.rejections)).to.have.length(1); // campaign 2: DATA_STREAM
    expect(harness.raw(`${topics.incomingEvents}.dlq`)).to.have.length(0);
    expect(services.calls).to.deep.equal({ blacklist: 1, casper: 1, abram: 4 });
    const failures = await harness.metrics.registry.getSingleMetricAsString(
      'tm_analyser_evaluation_failures_total',
    );
    expect(failures).to.contain(
      'tm_analyser_evaluation_failures_total{step="ML_DEVICE",service="abram",retriable="true"} 3',
    );
  });

  it('dead-letters an application a service refuses, at once, and decides the others', async () => {
    const services = fakeServices({
      abram: () => {
        throw new ServiceRequestError('abram', 'assessments', 400, 'HTTP 400: bad request');
      },
    });
    harness = await new AnalyserHarness(testConfig(), services).start();
    harness.publish([good(1), good(2, { citizenship: 'UKR' })]);
    const { topics } = harness.config;
    const dlq = `${topics.incomingEvents}.dlq`;
    await eventually(
      () => harness!.raw(dlq).length === 1 && harness!.raw(topics.rejections).length === 2,
      'outcomes',
    );
    const [dead] = harness.raw(dlq);
    expect(dead?.key?.toString()).to.equal('1001');
    expect(dead?.headers).to.include({ 'dlq.stage': 'tml-events-analyser', 'dlq.attempts': '1' });
    expect(dead?.headers['dlq.error'])
      .to.contain('application 1001, campaign 1, ML_DEVICE')
      .and.contain('HTTP 400');
    expect({ ...(await harness.serdes.application.decode(dead?.value as Buffer)) }).to.deep.equal(good(1));
    // the first application published nothing, not even its campaign-2 rejection: all campaigns or none
    const rejected = await decode(harness, topics.rejections, harness.serdes.rejection);
    expect(rejected.map((r) => r.value.applicationNumber)).to.deep.equal(['1002', '1002']);
    expect(harness.raw(topics.candidates)).to.have.length(0);
  });

  it('dead-letters an application after riding out the configured outage', async () => {
    const services = fakeServices({
      blacklist: () => {
        throw unavailable('blacklist');
      },
    });
    const config = testConfig(undefined, { rideOutMs: 100, initialDelayMs: 10, maxDelayMs: 40 });
    harness = await new AnalyserHarness(config, services).start();
    const startedAt = Date.now();
    harness.publish([good(1)]);
    const dlq = `${config.topics.incomingEvents}.dlq`;
    await eventually(() => harness!.raw(dlq).length === 1, 'the dead letter');
    // waits of 10, 20, 40, 40, 40 ms at least halved: 5 + 10 + 20 + 20 + 20 + 20 + 20 >= 100 after 7 retries
    expect(Date.now() - startedAt).to.be.at.least(100);
    expect(harness.raw(dlq)[0]?.headers).to.include({
      'dlq.attempts': '8',
      'dlq.error.type': 'RetriesExhaustedError',
    });
    expect(services.calls.blacklist).to.equal(8);
  });

  it('dead-letters a record that is not an application', async () => {
    harness = await new AnalyserHarness(testConfig(), fakeServices()).start();
    harness.driver.broker.append([
      { topic: harness.config.topics.incomingEvents, key: 'x', value: Buffer.from('not avro') },
    ]);
    harness.publish([good(1)]);
    const dlq = `${harness.config.topics.incomingEvents}.dlq`;
    await eventually(
      () => harness!.raw(dlq).length === 1 && harness!.raw(harness!.config.topics.candidates).length === 1,
      'outcomes',
    );
    expect(harness.raw(dlq)[0]?.headers['dlq.error.type']).to.equal('DecodeError');
  });

  it('a slow client does not hold up the others, and one client is decided in arrival order', async () => {
    const slowPhone = '79131249999';
    /** Blacklist lookups of the slow client, held until released. */
    const held: { deviceId: string | null; release: () => void }[] = [];
    const order: string[] = [];
    const services = {
      ...fakeServices(),
      blacklist: {
        search: async (subject: { phone: string; deviceId: string | null }) => {
          if (subject.phone === slowPhone) {
            await new Promise<void>((release) => held.push({ deviceId: subject.deviceId, release }));
          }
          return [];
        },
      },
      abram: {
        assess: async (request: { deviceId: string | null }) => {
          order.push(request.deviceId ?? '');
          return abramAnswer();
        },
      },
    };
    harness = await new AnalyserHarness(testConfig(), services).start();
    const slow = ['slow-a', 'slow-b'].map((deviceId, i) => good(9001 + i, { phone: slowPhone, deviceId }));
    const quick = Array.from({ length: 20 }, (_, i) => good(i, { deviceId: `quick-${i}` }));
    harness.publish([slow[0] as Application, ...quick, slow[1] as Application]);
    // Decided while the slow client waits (published once the records before them in their partition are:
    // exactly-once publishes each partition's decisions in offset order).
    await eventually(() => order.length === 20, 'the 20 quick applications decided');
    expect(order.every((d) => d.startsWith('quick-'))).to.equal(true);
    // The slow client's applications sit in different partitions (keyed by application number); whichever arrived
    // first is evaluated first, and the other does not start until it is done.
    expect(held).to.have.length(1);
    const first = held.shift();
    first?.release();
    await eventually(() => held.length === 1, 'the second slow application started');
    expect(order.at(-1)).to.equal(first?.deviceId);
    held.shift()?.release();
    const { topics } = harness.config;
    await eventually(() => harness!.raw(topics.candidates).length === 22, 'all candidates');
    expect(order.slice(-2).sort()).to.deep.equal(['slow-a', 'slow-b']);
  });

  it('reports itself unready while a service circuit breaker refuses calls, naming the service (ADR 0188)', async () => {
    const config = testConfig();
    const down = {
      ...config.services.blacklist,
      url: 'http://127.0.0.1:1',
      retry: { maxRetries: 0, initialDelayMs: 1, maxDelayMs: 1 },
      breaker: { consecutiveFailures: 1, halfOpenAfterMs: 60_000 },
    };
    const services = createServiceClients({ ...config.services, blacklist: down });
    try {
      harness = new AnalyserHarness(config, services);
      const [stage, readiness] = harness.analyser.runnables;
      expect(stage).to.equal(harness.analyser.stage);
      await readiness?.start();
      expect(readiness?.health()).to.deep.include({
        stage: 'tml-events-analyser.services',
        ready: true,
        error: null,
      });

      await services.blacklist.search({ phone: '79131240001', deviceId: null }).catch(() => undefined);
      expect(readiness?.health()).to.deep.include({
        ready: false,
        live: true,
        error: 'blacklist: circuit breaker open',
      });
      await readiness?.stop();
    } finally {
      await services.close();
    }
  });
});
