import { expect } from 'chai';
import { MemoryBroker } from '../transport/memory/broker.js';
import { memoryTransport } from '../transport/memory/memory-transport.js';
import type { TopicSpec, Transport } from '../transport/types.js';
import { StateStoreError, StateStores } from './state-stores.js';

const stores = { counts: {}, windows: { kind: 'windowed' as const, retentionMs: 3_600_000 } };
const origin = (offset: number, partition = 0) => ({ topic: 'in', partition, offset });

type Outbound = Parameters<ReturnType<Transport['createProducer']>['send']>[0];

/**
 * The transport with its producers' transactions watched: `begin` runs as one starts (it may throw, as an unreachable
 * broker), `sent` sees every batch sent in one.
 */
function watched(
  transport: Transport,
  hooks: { begin?: () => void; sent?: (records: Outbound) => void },
): Transport {
  return {
    ...transport,
    createProducer: (options) => {
      const producer = transport.createProducer(options);
      return {
        ...producer,
        connect: () => producer.connect(),
        disconnect: () => producer.disconnect(),
        send: (records) => producer.send(records),
        transaction: async () => {
          hooks.begin?.();
          const txn = await producer.transaction();
          const send: typeof txn.send = (records) => {
            hooks.sent?.(records);
            return txn.send(records);
          };
          return { ...txn, send };
        },
      };
    },
  };
}

describe('StateStores', () => {
  describe('in memory', () => {
    it('snapshots what the last flush wrote, and starts again from a snapshot', () => {
      const state = StateStores.inMemory(stores);
      const counts = state.store<number>('counts');
      counts.put('a', 1);
      state.markApplied(origin(0));
      state.advanceStreamTime('windows', 100);
      expect(state.dirty).to.equal(true);
      expect(state.flush()).to.equal(undefined); // synchronous
      counts.put('a', 2); // not flushed: lost in a crash
      counts.put('b', 1);
      state.markApplied(origin(1));
      const snapshot = state.snapshot();
      expect(snapshot).to.deep.equal({
        stores: { counts: { a: 1 } },
        positions: { 'in:0': 1 },
        streamTimes: { windows: 100 },
      });
      const restored = StateStores.inMemory(stores, snapshot);
      expect([...restored.store<number>('counts').entries()]).to.deep.equal([['a', 1]]);
      expect(restored.applied(origin(0))).to.equal(true);
      expect(restored.applied(origin(1))).to.equal(false);
      expect(restored.streamTime('windows')).to.equal(100);
      expect(restored.dirty).to.equal(false);
    });

    it('never moves positions or stream times back', () => {
      const state = StateStores.inMemory(stores);
      state.markApplied(origin(9));
      state.markApplied(origin(3));
      state.advanceStreamTime('w', 50);
      state.advanceStreamTime('w', 10);
      expect(state.applied(origin(9))).to.equal(true);
      expect(state.applied(origin(10))).to.equal(false);
      expect(state.applied(origin(0, 1))).to.equal(false);
      expect(state.streamTime('w')).to.equal(50);
    });

    it('refuses unknown and reserved names', () => {
      const state = StateStores.inMemory(stores);
      expect(() => state.store('nope')).to.throw(RangeError, /declared: counts, windows/);
      expect(() => state.store('counts').put('__barrier', 1)).to.throw(RangeError);
      expect(() => StateStores.inMemory({ positions: {} })).to.throw(RangeError);
    });
  });

  describe('on changelog topics (memory transport)', () => {
    let transport: Transport;
    beforeEach(() => {
      transport = memoryTransport(new MemoryBroker());
    });

    it('creates compacted changelogs (compact,delete for windowed stores) and restores the last flush', async () => {
      const created: TopicSpec[] = [];
      const recording: Transport = {
        ...transport,
        ensureTopics: async (topics) => {
          created.push(...topics);
          await transport.ensureTopics(topics);
        },
      };
      const first = await StateStores.restore({ transport: recording, applicationId: 'app', stores });
      expect(created.map((t) => [t.topic, t.partitions, t.config])).to.deep.equal([
        ['app-counts-changelog', 1, { 'cleanup.policy': 'compact' }],
        [
          'app-windows-changelog',
          1,
          { 'cleanup.policy': 'compact,delete', 'retention.ms': String(3_600_000 + 86_400_000) },
        ],
        ['app-positions-changelog', 1, { 'cleanup.policy': 'compact' }],
      ]);
      const counts = first.store<{ n: number }>('counts');
      counts.put('a', { n: 1 });
      counts.put('b', { n: 2 });
      first.store<number>('windows').put('w1', 5);
      first.markApplied(origin(41));
      first.advanceStreamTime('windows', 1_000);
      await first.flush();
      counts.delete('b');
      counts.put('a', { n: 3 });
      await first.flush();
      counts.put('c', { n: 9 }); // never flushed
      await first.close();

      const second = await StateStores.restore({ transport, applicationId: 'app', stores });
      expect([...second.store('counts').entries()]).to.deep.equal([['a', { n: 3 }]]);
      expect([...second.store('windows').entries()]).to.deep.equal([['w1', 5]]);
      expect(second.applied(origin(41))).to.equal(true);
      expect(second.applied(origin(42))).to.equal(false);
      expect(second.streamTime('windows')).to.equal(1_000);
      await second.close();
    });

    it('fences an older instance: its flush fails and writes nothing', async () => {
      const old = await StateStores.restore({ transport, applicationId: 'app', stores });
      const current = await StateStores.restore({ transport, applicationId: 'app', stores });
      old.store<number>('counts').put('zombie', 1);
      let error: unknown;
      try {
        await old.flush();
      } catch (err) {
        error = err;
      }
      expect(error).to.be.instanceOf(StateStoreError);
      expect(old.dirty).to.equal(true); // kept for a retry that will fail too
      current.store<number>('counts').put('live', 1);
      await current.flush();
      await Promise.all([old.close(), current.close()]);
      const third = await StateStores.restore({ transport, applicationId: 'app', stores });
      expect([...third.store('counts').entries()]).to.deep.equal([['live', 1]]);
      await third.close();
    });

    it('writes a large flush in several sends of one transaction', async () => {
      const sends: number[] = [];
      const counting = watched(transport, { sent: (records) => sends.push(records.length) });
      const state = await StateStores.restore({ transport: counting, applicationId: 'big', stores });
      sends.length = 0;
      const counts = state.store<string>('counts');
      for (let i = 0; i < 20_000; i += 1) counts.put(`key-${i}`, 'x'.repeat(40));
      await state.flush();
      await state.close();
      expect(sends.length).to.be.greaterThan(2);
      expect(sends.reduce((a, b) => a + b, 0)).to.equal(20_000);
      const restored = await StateStores.restore({ transport, applicationId: 'big', stores });
      expect(restored.store('counts').size).to.equal(20_000);
      await restored.close();
    });

    it('writes no tombstone for a key put and deleted between two flushes, and one for a key flushed before', async () => {
      const sent: string[] = [];
      const recording = watched(transport, {
        sent: (records) => {
          for (const r of records)
            if (r.topic === 'app-counts-changelog') sent.push(`${r.key}=${r.value?.toString() ?? null}`);
        },
      });
      const state = await StateStores.restore({ transport: recording, applicationId: 'app', stores });
      const counts = state.store<number>('counts');
      counts.put('kept', 1);
      counts.put('gone', 1);
      await state.flush();
      sent.length = 0;
      counts.put('brief', 1); // never flushed with a value
      counts.put('brief', 2);
      counts.delete('brief');
      counts.delete('gone'); // flushed with a value: its tombstone must be written
      counts.put('again', 1);
      counts.delete('again');
      counts.put('again', 3); // deleted and put back: its value is written
      await state.flush();
      expect(sent).to.deep.equal(['gone=null', 'again=3']);
      await state.close();
      const restored = await StateStores.restore({ transport, applicationId: 'app', stores });
      expect(Object.fromEntries(restored.store<number>('counts').entries())).to.deep.equal({
        kept: 1,
        again: 3,
      });
      await restored.close();
    });

    it('writes the tombstone of a failed flush with the next one, even if the key came and went meanwhile', async () => {
      let down = false;
      const flaky = watched(transport, {
        begin: () => {
          if (down) throw new Error('broker unreachable');
        },
      });
      const state = await StateStores.restore({ transport: flaky, applicationId: 'app', stores });
      const counts = state.store<number>('counts');
      counts.put('a', 1);
      await state.flush();
      counts.delete('a'); // its tombstone fails to be written ...
      down = true;
      const flushed = Promise.resolve(state.flush()).catch(() => 'failed');
      counts.put('a', 2); // ... while the key comes back and goes again before the failure is known
      counts.delete('a');
      expect(await flushed).to.equal('failed');
      down = false;
      await state.flush();
      await state.close();
      const restored = await StateStores.restore({ transport, applicationId: 'app', stores });
      expect(restored.store<number>('counts').has('a')).to.equal(false);
      await restored.close();
    });

    it('keeps the changes of a failed flush for the next one', async () => {
      let down = false;
      const flaky = watched(transport, {
        begin: () => {
          if (down) throw new Error('broker unreachable');
        },
      });
      const state = await StateStores.restore({ transport: flaky, applicationId: 'app', stores });
      state.store<number>('counts').put('a', 1);
      state.markApplied(origin(0));
      down = true;
      let failed = false;
      await Promise.resolve(state.flush()).catch(() => {
        failed = true;
      });
      expect(failed).to.equal(true);
      state.store<number>('counts').put('b', 2);
      down = false;
      await state.flush();
      await state.close();
      const restored = await StateStores.restore({ transport, applicationId: 'app', stores });
      expect(Object.fromEntries(restored.store<number>('counts').entries())).to.deep.equal({ a: 1, b: 2 });
      expect(restored.applied(origin(0))).to.equal(true);
      await restored.close();
    });
  });
});
