import { expect } from 'chai';
import { ReplaceableProducer } from './replaceable-producer.js';

class FakeClient {
  connected = false;
  disconnected = false;
  constructor(readonly id: number) {}
  async connect(): Promise<void> {
    this.connected = true;
  }
  async disconnect(): Promise<void> {
    this.disconnected = true;
  }
}

describe('ReplaceableProducer', () => {
  const build = (connect: (c: FakeClient) => Promise<void> = (c) => c.connect()) => {
    let next = 0;
    return new ReplaceableProducer(() => new FakeClient(next++), connect);
  };

  it('keeps its client while work succeeds', async () => {
    const producer = build();
    const first = producer.client;
    expect(await producer.markingBroken(async () => 'done')).to.equal('done');
    expect(await producer.replaceIfBroken()).to.equal(first);
    expect(first.disconnected).to.equal(false);
  });

  it('after failed work, replaces the client (old disconnected, new connected) before the next use', async () => {
    const producer = build();
    const first = producer.client;
    const failure = new Error('commit failed');
    let thrown: unknown;
    await producer
      .markingBroken(() => Promise.reject(failure))
      .catch((err: unknown) => {
        thrown = err;
      });
    expect(thrown).to.equal(failure);
    const second = await producer.replaceIfBroken();
    expect(second.id).to.equal(1);
    expect(producer.client).to.equal(second);
    expect(first.disconnected).to.equal(true);
    expect(second.connected).to.equal(true);
    expect(await producer.replaceIfBroken()).to.equal(second);
  });

  it('stays broken while the new client cannot connect, and replaces it again on the next call', async () => {
    let refuse = true;
    const producer = build(async (c) => {
      if (refuse) throw new Error('broker away');
      await c.connect();
    });
    await producer.markingBroken(() => Promise.reject(new Error('send failed'))).catch(() => {});
    let thrown: unknown;
    await producer.replaceIfBroken().catch((err: unknown) => {
      thrown = err;
    });
    expect((thrown as Error).message).to.equal('broker away');
    refuse = false;
    const client = await producer.replaceIfBroken();
    expect(client.id).to.equal(2);
    expect(client.connected).to.equal(true);
  });
});
