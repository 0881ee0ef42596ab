import { DependencyUnavailableError, type OutboundRecord, type TransportProducer } from '@tm/pipeline-core';
import { expect } from 'chai';
import { contractSerdes } from '../runtime/serdes.js';
import { ArmPublisher } from './arm-publisher.js';

const topics = { operatorSessions: 's', communicationResults: 'r', callbackRequests: 'c' };

function producer(options: { failFirst?: boolean } = {}) {
  const sends: OutboundRecord[][] = [];
  let fail = options.failFirst ?? false;
  const fake: TransportProducer = {
    connect: async () => {},
    disconnect: async () => {},
    transaction: async () => {
      throw new Error('no transactions');
    },
    send: async (records) => {
      await new Promise((r) => setTimeout(r, 5));
      if (fail) {
        fail = false;
        throw new Error('broker down');
      }
      sends.push([...records]);
    },
  };
  return { fake, sends };
}

describe('ArmPublisher', () => {
  it('sends what arrives together in one request, keyed by operator, in order', async () => {
    const { fake, sends } = producer();
    const publisher = new ArmPublisher(fake, topics, contractSerdes());
    await Promise.all(Array.from({ length: 50 }, (_, i) => publisher.session(i, 'OPEN')));
    expect(sends.length).to.be.at.most(2);
    const keys = sends.flat().map((r) => r.key);
    expect(keys).to.deep.equal(Array.from({ length: 50 }, (_, i) => String(i)));
  });

  it('rejects only the records of a failed send, as the broker being unavailable, and goes on', async () => {
    const { fake, sends } = producer({ failFirst: true });
    const publisher = new ArmPublisher(fake, topics, contractSerdes());
    const first = await publisher.session(1, 'OPEN').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(first).to.be.instanceOf(DependencyUnavailableError);
    await publisher.session(2, 'CLOSE', 'IDLE');
    expect(sends.flat().map((r) => r.key)).to.deep.equal(['2']);
  });
});
