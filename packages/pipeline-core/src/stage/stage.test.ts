import { expect } from 'chai';
import { toTopic } from '../operators/to-topic.js';
import { bufferSerde } from '../serdes/serde.js';
import { memoryTransport } from '../transport/memory/memory-transport.js';
import { createStage } from './stage.js';

describe('Stage lifecycle', () => {
  const make = () =>
    createStage({
      name: 'lifecycle',
      transport: memoryTransport(),
      input: { topics: 'in', serde: bufferSerde() },
      process: (records) => records.pipe(toTopic('out', bufferSerde())),
    });

  it('stops a stage that never started at once', async () => {
    const stage = make();
    const started = Date.now();
    await stage.stop({ timeoutMs: 5000 });
    expect(Date.now() - started).to.be.below(1000);
    expect(stage.state).to.equal('stopped');
    await stage.done;
  });

  it('refuses a bound on uncommitted records smaller than the in-flight bound', () => {
    expect(() =>
      createStage({
        name: 'x',
        transport: memoryTransport(),
        input: { topics: 'in', serde: bufferSerde() },
        process: (r) => r.pipe(toTopic('out', bufferSerde())),
        maxInFlight: 100,
        maxUncommitted: 10,
      }),
    ).to.throw(RangeError);
  });
});
