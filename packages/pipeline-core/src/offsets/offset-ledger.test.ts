import { expect } from 'chai';
import { OffsetLedger } from './offset-ledger.js';

const origin = (offset: number) => ({ topic: 't', partition: 0, offset, timestamp: 0 });

describe('OffsetLedger', () => {
  it('drains the finished prefix of a partition as its commit point', () => {
    const ledger = new OffsetLedger();
    const [a, b, c] = [0, 1, 2].map((o) => ledger.register(origin(o)));
    ledger.complete(a!);
    ledger.complete(c!);
    expect(ledger.drain().map((p) => p.nextOffset)).to.deep.equal([1]);
    ledger.complete(b!);
    expect(ledger.drain().map((p) => p.nextOffset)).to.deep.equal([3]);
    expect(ledger.inFlight).to.equal(0);
  });

  it('after a rebalance, counts old completions as freed capacity but never commits them', () => {
    const ledger = new OffsetLedger();
    const old = ledger.register(origin(0));
    ledger.newGeneration();
    expect(ledger.inFlight).to.equal(1);
    expect(ledger.complete(old)).to.equal(true);
    expect(ledger.inFlight).to.equal(0);
    expect(ledger.drain()).to.deep.equal([]);
  });

  it('abandon forgets records in flight: capacity is free at once, and their late completions change nothing', () => {
    const ledger = new OffsetLedger();
    const dropped = [0, 1, 2].map((o) => ledger.register(origin(o)));
    ledger.abandon();
    expect(ledger.inFlight).to.equal(0);
    expect(ledger.uncommitted).to.equal(0);
    const again = ledger.register(origin(0));
    expect(ledger.complete(dropped[0]!)).to.equal(false);
    expect(ledger.inFlight).to.equal(1);
    ledger.complete(again);
    expect(ledger.drain().map((p) => p.nextOffset)).to.deep.equal([1]);
  });
});
