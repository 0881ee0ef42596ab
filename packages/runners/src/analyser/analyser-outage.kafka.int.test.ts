import { eventually } from '@tm/pipeline-core/testing';
import { expect } from 'chai';
import {
  expectEveryApplicationDecidedOnce,
  generatedApplications,
  KafkaAnalyserRun,
} from './analyser-kafka.test-support.js';

/**
 * BlackList down for 30 s in the middle of a run of 10,000 applications, with `events-analyser.retry.ride-out-ms`
 * at 60 s: the applications that need BlackList wait and are decided once it is back; none is lost, none decided
 * twice, none dead-lettered.
 */
describe('analyser on Kafka: BlackList down for 30 s mid-run', function () {
  this.timeout(180_000);
  let run: KafkaAnalyserRun | undefined;

  after(async () => {
    await run?.close();
  });

  it('every application ends exactly once per campaign, those needing BlackList after the outage', async () => {
    const outageMs = 30_000;
    run = await KafkaAnalyserRun.prepare(generatedApplications(10_000, 30_303), {
      rideOutMs: 60_000,
      initialDelayMs: 250,
      maxDelayMs: 5000,
    });
    // The first half is decided before the outage, the second half is published as it begins.
    await run.publish(0, 5000);
    await run.start();
    await eventually(async () => (await run!.committed()) >= 2500, 'a quarter of the applications decided');
    // What /readyz would say, sampled through the outage: unready while BlackList's breaker refuses calls (ADR 0188).
    const reasons = new Set<string | null>();
    const sampler = setInterval(() => {
      for (const r of run?.analyser?.runnables ?? []) if (!r.health().ready) reasons.add(r.health().error);
    }, 100).unref();
    const outageStart = Date.now();
    run.sims.blacklist.faults.makeUnavailable(outageMs);
    await run.publish(5000, 10_000);
    const committedAtOutage = await run.committed();
    expect(committedAtOutage, 'the outage begins mid-run').to.be.below(run.apps.length);
    await run.waitUntilAllCommitted(150_000);
    clearInterval(sampler);
    expect([...reasons], 'unready during the outage, BlackList named').to.include(
      'blacklist: circuit breaker open',
    );
    // Every application needing BlackList was decided after the outage, so its breaker let calls through again.
    expect(
      run.analyser?.runnables.map((r) => [r.name, r.health().ready, r.health().error]),
      'ready again once all is decided',
    ).to.deep.equal([
      [run.group, true, null],
      [`${run.group}.services`, true, null],
    ]);
    const { outputs } = await expectEveryApplicationDecidedOnce(run);

    // The outage was felt: BlackList refused calls, and decisions that needed it came after it ended.
    expect(run.sims.blacklist.faults.stats().unavailable).to.be.above(0);
    let decidedAfter = 0;
    for (const r of outputs.rejections) {
      const rejection = await run.serdes.rejection.decode(r.value as Buffer);
      if (rejection.filter === 'PHONE_BLACK_LIST' && rejection.decidedAt >= outageStart + outageMs)
        decidedAfter += 1;
    }
    expect(decidedAfter, 'blacklist rejections decided after the outage').to.be.above(0);
    const failures = await run.metrics.registry.getSingleMetricAsString(
      'tm_analyser_evaluation_failures_total',
    );
    expect(failures).to.match(/step="PHONE_BLACK_LIST",service="blacklist",retriable="true"\} [1-9]/);
    console.log(
      `      outage began with ${committedAtOutage} of 10,000 committed; all committed ${Date.now() - outageStart} ms after it began`,
    );
  });
});
