import { expect } from 'chai';
import {
  expectEveryApplicationDecidedOnce,
  generatedApplications,
  KafkaAnalyserRun,
} from './analyser-kafka.test-support.js';

/**
 * The analyser on the real broker, with the simulators over HTTP in this process: 10,000 generated applications
 * through config/pipeline.yaml's two campaigns. What comes out is compared, application by application and counted
 * per campaign and filter, with what the campaigns' settings and the simulators' documented rules say must come out
 * (expected-decisions.test-support.ts, which does not use @tm/filters).
 */
describe('analyser on Kafka with the simulators', function () {
  this.timeout(180_000);
  const apps = generatedApplications(10_000, 20_240);
  let run: KafkaAnalyserRun | undefined;

  afterEach(async () => {
    await run?.close();
    run = undefined;
  });

  const retry = { rideOutMs: 60_000, initialDelayMs: 250, maxDelayMs: 5000 };

  it('decides 10,000 applications exactly once per campaign, as the rules say, asking each service once', async () => {
    run = await KafkaAnalyserRun.prepare(apps, retry);
    await run.publish();
    const startedAt = Date.now();
    await run.start();
    await run.waitUntilAllCommitted(120_000);
    const elapsed = Date.now() - startedAt;
    const { report } = await expectEveryApplicationDecidedOnce(run);
    expect(report.badEnrichment.slice(0, 10), 'candidates enriched wrongly').to.deep.equal([]);
    // Every filter of both campaigns decided something: the data exercises the whole cascade.
    for (const filter of ['RESIDENCE', 'AGE', 'PHONE_TEMPLATES', 'PHONE_BLACK_LIST', 'ML_DEVICE', 'ML_FACE'])
      expect(report.actualCounts, filter).to.have.property(`1/${filter}`);
    for (const filter of ['GRACE_PERIOD', 'PHONE_BLACK_LIST', 'ML_PHONE', 'PRODUCTS_AVAILABLE', 'candidate'])
      expect(report.actualCounts, filter).to.have.property(`2/${filter}`);

    // Each service asked at most once per application (no faults here, so exactly once where needed); BlackList
    // lookups batched.
    const needed = (service: 'blacklist' | 'casper' | 'abram') => run!.asks.filter((a) => a[service]).length;
    expect(run.sims.abram.faults.stats().requests).to.equal(needed('abram'));
    expect(run.sims.casper.faults.stats().requests).to.equal(needed('casper'));
    const blacklistRequests = run.sims.blacklist.faults.stats().requests;
    expect(blacklistRequests)
      .to.be.above(0)
      .and.below(needed('blacklist') / 4);
    console.log(
      `      10,000 applications in ${elapsed} ms; ${needed('blacklist')} BlackList lookups in ${blacklistRequests} requests; ` +
        `counts ${JSON.stringify(report.actualCounts)}`,
    );
  });

  it('with Abram answering HTTP 500 to 20% of calls, every application still ends exactly once per campaign', async () => {
    run = await KafkaAnalyserRun.prepare(apps, retry);
    run.sims.abram.faults.set({ errorRate: 0.2 });
    await run.publish();
    await run.start();
    await run.waitUntilAllCommitted(120_000);
    await expectEveryApplicationDecidedOnce(run);
    const abram = run.sims.abram.faults.stats();
    expect(abram.errors / abram.requests).to.be.within(0.15, 0.25);
  });
});
