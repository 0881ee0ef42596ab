import { createRequire } from 'node:module';
import { expect } from 'chai';

/**
 * kafkajs 2.2.4 is patched (patches/kafkajs@2.2.4.patch, ADR 0067): its producer grouped a send's messages by
 * partition in quadratic time. These tests pin what the patched function must still do, and that the patch is in.
 */
type Message = { key: string; value: string; partition?: number };
type Group = (args: {
  topic: string;
  partitionMetadata: { partitionId: number }[];
  messages: Message[];
  partitioner: (args: { message: Message }) => number;
}) => Record<number, Message[]>;

const require = createRequire(import.meta.url);
const modulePath = require.resolve('kafkajs/src/producer/groupMessagesPerPartition.js');
const groupMessagesPerPartition = require(modulePath) as Group;

describe('kafkajs patch: groupMessagesPerPartition', () => {
  const partitionMetadata = [0, 1, 2].map((partitionId) => ({ partitionId }));
  const byModulo = ({ message }: { message: Message }) => Number(message.key) % 3;

  it('groups every message under its partition, in send order', () => {
    const messages = Array.from({ length: 20_000 }, (_, i) => ({ key: String(i), value: `v${i}` }));
    const grouped = groupMessagesPerPartition({
      topic: 't',
      partitionMetadata,
      messages,
      partitioner: byModulo,
    });
    expect(Object.keys(grouped).sort()).to.deep.equal(['0', '1', '2']);
    for (const [partition, list] of Object.entries(grouped)) {
      expect(list.every((m) => Number(m.key) % 3 === Number(partition))).to.equal(true);
      const keys = list.map((m) => Number(m.key));
      expect(keys).to.deep.equal([...keys].sort((a, b) => a - b));
    }
    expect(Object.values(grouped).reduce((n, list) => n + list.length, 0)).to.equal(messages.length);
  });

  it('returns no groups when the topic has no partition metadata yet', () => {
    const messages = [{ key: '1', value: 'v' }];
    expect(
      groupMessagesPerPartition({ topic: 't', partitionMetadata: [], messages, partitioner: byModulo }),
    ).to.deep.equal({});
  });

  it('is the patched version (a fresh install without patches/ would bring the quadratic one back)', async () => {
    const { readFile } = await import('node:fs/promises');
    expect(await readFile(modulePath, 'utf8')).to.contain('ADR 0067');
  });
});
