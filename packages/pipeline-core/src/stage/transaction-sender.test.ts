import { expect } from 'chai';
import type { OutboundRecord } from '../record.js';
import { readTopic } from '../testing/transport-helpers.js';
import { memoryTransport } from '../transport/memory/memory-transport.js';
import type { TransportProducer, TransportTransaction } from '../transport/types.js';
import { TransactionSender } from './transaction-sender.js';

const record = (key: string): OutboundRecord => ({ topic: 't', key, value: Buffer.from(key) });

/** A transactional producer that logs every call and lets a test hold or fail sends. */
function recordingProducer() {
  const log: string[] = [];
  const held: (() => void)[] = [];
  let hold = false;
  let failSends = false;
  let failAbort = false;
  let txns = 0;
  const producer: TransportProducer = {
    connect: async () => {},
    disconnect: async () => {},
    send: async () => {
      throw new Error('not transactional');
    },
    transaction: async (): Promise<TransportTransaction> => {
      const n = ++txns;
      log.push(`begin ${n}`);
      return {
        send: async (records) => {
          log.push(`send ${n} ${records.map((r) => r.key).join('')}`);
          if (hold) await new Promise<void>((resolve) => held.push(resolve));
          if (failSends) throw new Error('broker away');
          log.push(`acked ${n} ${records.map((r) => r.key).join('')}`);
        },
        sendOffsets: async () => {},
        commit: async () => {
          log.push(`commit ${n}`);
        },
        abort: async () => {
          log.push(`abort ${n}`);
          if (failAbort) throw new Error('abort failed');
        },
      };
    },
  };
  return {
    producer,
    log,
    hold: (on: boolean) => {
      hold = on;
    },
    release: () => {
      for (const r of held.splice(0)) r();
    },
    failSends: () => {
      failSends = true;
    },
    failAbort: () => {
      failAbort = true;
    },
  };
}

describe('TransactionSender', () => {
  it('begins the transaction with the first full batch, sends batches in order and commits with the last record', async () => {
    const p = recordingProducer();
    const sender = new TransactionSender(p.producer, { batchSize: 2 });
    expect(sender.push(record('a'))).to.equal(undefined);
    expect(p.log, 'nothing begins before a batch is full').to.deep.equal([]);
    await sender.push(record('b'));
    expect(sender.inTransaction).to.equal(true);
    expect(sender.push(record('c'))).to.equal(undefined);
    await sender.commitWith(record('z'));
    expect(sender.inTransaction).to.equal(false);
    expect(p.log).to.deep.equal([
      'begin 1',
      'send 1 ab',
      'acked 1 ab',
      'send 1 cz',
      'acked 1 cz',
      'commit 1',
    ]);
  });

  it('keeps one send on the wire: the next full batch waits for the one in flight', async () => {
    const p = recordingProducer();
    const sender = new TransactionSender(p.producer, { batchSize: 1 });
    p.hold(true);
    await sender.push(record('a')); // out, held by the broker
    let second = false;
    const pushed = sender.push(record('b'))?.then(() => {
      second = true;
    });
    await new Promise((r) => setTimeout(r, 5));
    expect(second, 'b waits while a is in flight').to.equal(false);
    expect(p.log).to.deep.equal(['begin 1', 'send 1 a']);
    p.hold(false);
    p.release();
    await pushed;
    await sender.commitWith(record('z'));
    expect(p.log).to.deep.equal([
      'begin 1',
      'send 1 a',
      'acked 1 a',
      'send 1 b',
      'acked 1 b',
      'send 1 z',
      'acked 1 z',
      'commit 1',
    ]);
  });

  it('aborts the open transaction and drops what was not sent; the next transaction starts afresh', async () => {
    const p = recordingProducer();
    const sender = new TransactionSender(p.producer, { batchSize: 2 });
    sender.push(record('a'));
    await sender.push(record('b'));
    sender.push(record('c'));
    await sender.abort();
    expect(sender.inTransaction).to.equal(false);
    await sender.commitWith(record('z'));
    expect(p.log).to.deep.equal([
      'begin 1',
      'send 1 ab',
      'acked 1 ab',
      'abort 1',
      'begin 2',
      'send 2 z',
      'acked 2 z',
      'commit 2',
    ]);
  });

  it('aborts nothing when no transaction was begun', async () => {
    const p = recordingProducer();
    const sender = new TransactionSender(p.producer, { batchSize: 5 });
    sender.push(record('a'));
    await sender.abort();
    expect(p.log).to.deep.equal([]);
  });

  it('surfaces a failed send at the commit; a quiet abort then hides the abort’s own failure', async () => {
    const p = recordingProducer();
    const sender = new TransactionSender(p.producer, { batchSize: 1 });
    p.failSends();
    await sender.push(record('a')); // the failure is not seen yet: the send is in flight
    const failure = await sender.commitWith(record('z')).catch((e: unknown) => e);
    expect(failure).to.be.instanceOf(Error).with.property('message', 'broker away');
    expect(p.log).to.not.include('commit 1');
    p.failAbort();
    await sender.abort(true);
    expect(p.log.at(-1)).to.equal('abort 1');
  });

  it('lets an abort’s failure through unless told to be quiet', async () => {
    const p = recordingProducer();
    const sender = new TransactionSender(p.producer, { batchSize: 1 });
    await sender.push(record('a'));
    p.failAbort();
    const failure = await sender.abort().catch((e: unknown) => e);
    expect(failure).to.be.instanceOf(Error).with.property('message', 'abort failed');
  });

  it('refuses a batch size below 1', () => {
    const p = recordingProducer();
    expect(() => new TransactionSender(p.producer, { batchSize: 0 })).to.throw(RangeError);
  });

  it('on the memory transport: readers see the records once committed, and never an aborted transaction’s', async () => {
    const transport = memoryTransport();
    await transport.ensureTopics([{ topic: 't', partitions: 1 }]);
    const producer = transport.createProducer({ transactionalId: 'sender-test' });
    await producer.connect();
    const sender = new TransactionSender(producer, { batchSize: 2 });
    for (const key of ['x', 'y', 'w']) await sender.push(record(key));
    await sender.abort();
    for (const key of ['a', 'b', 'c']) await sender.push(record(key));
    await sender.commitWith(record('z'));
    const read = await readTopic(transport, 't', 4, { settleMs: 20 });
    expect(read.map((r) => r.key?.toString())).to.deep.equal(['a', 'b', 'c', 'z']);
    await producer.disconnect();
    await transport.close();
  });
});
