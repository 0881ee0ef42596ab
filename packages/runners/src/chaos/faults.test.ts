import { expect } from 'chai';
import { allFaultKinds, CHAOS_RUNNERS, planFaults } from './faults.js';

describe('chaos fault plan', () => {
  const options = { seed: 7, durationMs: 600_000, kinds: allFaultKinds(), perKind: 3 };

  it('has a kill per runner and the four outages', () => {
    expect(allFaultKinds()).to.deep.equal([
      ...CHAOS_RUNNERS.map((r) => `kill-${r}`),
      'kafka-restart',
      'postgres-restart',
      'redis-restart',
      'simulators-down',
    ]);
  });

  it('injects every kind perKind times, in time order within the duration', () => {
    const plan = planFaults(options);
    expect(plan).to.have.length(allFaultKinds().length * 3);
    for (const kind of allFaultKinds()) expect(plan.filter((f) => f.kind === kind)).to.have.length(3);
    const times = plan.map((f) => f.atMs);
    expect(times).to.deep.equal([...times].sort((a, b) => a - b));
    expect(Math.max(...times)).to.be.below(options.durationMs);
  });

  it('is the same for the same seed and differs for another', () => {
    expect(planFaults(options)).to.deep.equal(planFaults(options));
    expect(planFaults({ ...options, seed: 8 })).not.to.deep.equal(planFaults(options));
  });

  it('keeps the simulators away for 30 s and the infrastructure for a short crash', () => {
    for (const f of planFaults(options)) {
      if (f.kind === 'simulators-down') expect(f.downMs).to.equal(30_000);
      else if (f.kind.startsWith('kill-')) expect(f.downMs).to.equal(0);
      else expect(f.downMs).to.be.within(2_000, 8_000);
    }
  });
});
