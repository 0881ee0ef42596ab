import { expect } from 'chai';
import { runEvery } from './periodic.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits (up to 5 s, for a loaded machine) until `check` holds. */
async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

describe('runEvery', () => {
  it('first runs after one interval, then again and again', async () => {
    const began = Date.now();
    const runs: number[] = [];
    const periodic = runEvery(
      30,
      async () => runs.push(Date.now() - began),
      () => {},
    );
    await until(() => runs.length >= 3, 'three runs');
    await periodic.stop();
    expect(runs[0], 'not before one interval').to.be.at.least(29);
  });

  it('never runs twice at once: ticks that come during a run are skipped', async () => {
    let running = 0;
    let most = 0;
    let runs = 0;
    const periodic = runEvery(
      5,
      async () => {
        running += 1;
        most = Math.max(most, running);
        await sleep(40); // eight intervals
        running -= 1;
        runs += 1;
      },
      () => {},
    );
    await until(() => runs >= 3, 'three runs');
    await periodic.stop();
    expect(most).to.equal(1);
  });

  it('hands a failing run to onError and goes on', async () => {
    const errors: unknown[] = [];
    let runs = 0;
    const periodic = runEvery(
      5,
      async () => {
        runs += 1;
        if (runs === 1) throw new Error('first run fails');
      },
      (err) => errors.push(err),
    );
    await until(() => runs >= 3, 'runs after the failure');
    await periodic.stop();
    expect(errors).to.have.length(1);
    expect((errors[0] as Error).message).to.equal('first run fails');
  });

  it('stop waits for the run in progress, and no run starts after it', async () => {
    let started = 0;
    let finished = 0;
    const periodic = runEvery(
      5,
      async () => {
        started += 1;
        await sleep(30);
        finished += 1;
      },
      () => {},
    );
    await until(() => started === 1, 'a run in progress');
    await periodic.stop();
    expect(finished, 'the run in progress finished before stop resolved').to.equal(started);
    const after = started;
    await sleep(30);
    expect(started).to.equal(after);
  });
});
