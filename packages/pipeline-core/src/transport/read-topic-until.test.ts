import { expect } from 'chai';
import type { RawRecord } from '../record.js';
import { memoryTransport } from './memory/memory-transport.js';
import { readTopicUntil } from './read-topic-until.js';
import type { Transport } from './types.js';

async function topicWith(keys: readonly string[], aborted: readonly string[] = []): Promise<Transport> {
  const transport = memoryTransport();
  await transport.ensureTopics([{ topic: 't', partitions: 1 }]);
  const producer = transport.createProducer({ transactionalId: 'writer' });
  await producer.connect();
  const committed = await producer.transaction();
  await committed.send(keys.map((key) => ({ topic: 't', key, value: Buffer.from(key) })));
  await committed.commit();
  if (aborted.length > 0) {
    const txn = await producer.transaction();
    await txn.send(aborted.map((key) => ({ topic: 't', key, value: Buffer.from(key) })));
    await txn.abort();
  }
  await producer.disconnect();
  return transport;
}

const keysOf = (records: readonly RawRecord[]) => records.map((r) => r.key?.toString());

describe('readTopicUntil', () => {
  it('reads committed records from the beginning until told enough, and leaves the group', async () => {
    const transport = await topicWith(['a', 'b', 'end', 'c'], ['x']);
    const seen: (string | undefined)[] = [];
    await readTopicUntil(transport, 't', {
      groupId: 'g',
      until: (records) => {
        seen.push(...keysOf(records));
        return seen.includes('end');
      },
    });
    expect(seen.slice(0, 3)).to.deep.equal(['a', 'b', 'end']);
    expect(seen, 'an aborted transaction is never read').to.not.include('x');
    expect((await transport.committedOffsets('g', 't')).size, 'it commits nothing').to.equal(0);
  });

  it('reads several topics at once', async () => {
    const transport = await topicWith(['a']);
    await transport.ensureTopics([{ topic: 'u', partitions: 2 }]);
    const producer = transport.createProducer();
    await producer.connect();
    await producer.send([{ topic: 'u', key: 'b', value: null }]);
    await producer.disconnect();
    const seen = new Set<string>();
    await readTopicUntil(transport, ['t', 'u'], {
      until: (records) => {
        for (const r of records) seen.add(`${r.topic}:${r.key?.toString()}`);
        return seen.size === 2;
      },
    });
    expect([...seen].sort()).to.deep.equal(['t:a', 'u:b']);
  });

  it('keeps reading while it lingers', async () => {
    const transport = await topicWith(['a']);
    const producer = transport.createProducer();
    await producer.connect();
    const seen: (string | undefined)[] = [];
    const read = readTopicUntil(transport, 't', {
      until: (records) => {
        seen.push(...keysOf(records));
        if (seen.length === 1) void producer.send([{ topic: 't', key: 'late', value: null }]);
        return true;
      },
      lingerMs: 100,
    });
    await read;
    expect(seen).to.deep.equal(['a', 'late']);
    await producer.disconnect();
  });

  it('fails with the timeout error when it does not get enough in time', async () => {
    const transport = await topicWith(['a']);
    const failure = await readTopicUntil(transport, 't', { until: () => false, timeoutMs: 50 }).catch(
      (e: unknown) => e,
    );
    expect(failure)
      .to.be.instanceOf(Error)
      .with.property('message', 't was not read to the point wanted in 50 ms');
    const named = await readTopicUntil(transport, 't', {
      until: () => false,
      timeoutMs: 20,
      timeoutError: () => new RangeError('no end'),
    }).catch((e: unknown) => e);
    expect(named).to.be.instanceOf(RangeError);
  });

  it('fails with the crash error when the consumer crashes (a throw from `until` crashes it)', async () => {
    const transport = await topicWith(['a']);
    const failure = await readTopicUntil(transport, 't', {
      until: () => {
        throw new SyntaxError('unreadable');
      },
      crashError: (err) => new Error(`crashed: ${err.message}`),
    }).catch((e: unknown) => e);
    expect(failure).to.be.instanceOf(Error).with.property('message', 'crashed: unreadable');
  });
});
