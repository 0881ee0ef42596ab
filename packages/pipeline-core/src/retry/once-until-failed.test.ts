import { expect } from 'chai';
import { onceUntilFailed } from './once-until-failed.js';

/** A body whose runs are counted and settled by the test. */
function controlledBody() {
  const runs: { resolve: (v: string) => void; reject: (e: Error) => void; args: unknown[] }[] = [];
  const body = (...args: unknown[]) =>
    new Promise<string>((resolve, reject) => {
      runs.push({ resolve, reject, args });
    });
  return { runs, body };
}

describe('onceUntilFailed', () => {
  it('runs the body once for concurrent callers, who all get its result', async () => {
    const { runs, body } = controlledBody();
    const once = onceUntilFailed(body);
    const calls = [once('first'), once('second'), once('third')];
    expect(runs).to.have.length(1);
    expect(runs[0]?.args, 'the arguments of the call that started the run').to.deep.equal(['first']);
    runs[0]?.resolve('done');
    expect(await Promise.all(calls)).to.deep.equal(['done', 'done', 'done']);
  });

  it('never runs again once it has succeeded', async () => {
    const { runs, body } = controlledBody();
    const once = onceUntilFailed(body);
    const first = once();
    runs[0]?.resolve('done');
    await first;
    expect(await once()).to.equal('done');
    expect(await once()).to.equal('done');
    expect(runs).to.have.length(1);
    expect(once.current).to.equal(first);
  });

  it('forgets a failed run: its callers see the error, and the next call runs the body again', async () => {
    const { runs, body } = controlledBody();
    const once = onceUntilFailed(body);
    const failing = [once(), once()];
    expect(once.current).to.equal(failing[0]);
    runs[0]?.reject(new Error('database down'));
    for (const call of failing) {
      await call.then(
        () => expect.fail('the failed run resolved'),
        (err: Error) => expect(err.message).to.equal('database down'),
      );
    }
    expect(once.current, 'forgotten once failed').to.equal(undefined);
    const retried = once();
    expect(runs).to.have.length(2);
    runs[1]?.resolve('back');
    expect(await retried).to.equal('back');
    expect(await once()).to.equal('back');
    expect(runs).to.have.length(2);
  });

  it('treats a body that throws synchronously as a failed run', async () => {
    let calls = 0;
    const once = onceUntilFailed((): Promise<number> => {
      calls += 1;
      if (calls === 1) throw new Error('not yet');
      return Promise.resolve(calls);
    });
    await once().then(
      () => expect.fail('resolved'),
      (err: Error) => expect(err.message).to.equal('not yet'),
    );
    expect(await once()).to.equal(2);
    expect(await once()).to.equal(2);
  });

  it('has no current run before the first call', () => {
    const once = onceUntilFailed(() => Promise.resolve());
    expect(once.current).to.equal(undefined);
  });
});
