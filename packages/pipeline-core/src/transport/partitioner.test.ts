import { expect } from 'chai';
import { Partitioners } from 'kafkajs';
import { partitionForKey } from './partitioner.js';

describe('partitionForKey', () => {
  it('agrees with kafkajs DefaultPartitioner (Java-compatible murmur2) on 5,000 keys of every length remainder', () => {
    const kafkajs = Partitioners.DefaultPartitioner();
    for (const partitions of [1, 3, 6, 7]) {
      const partitionMetadata = Array.from({ length: partitions }, (_, partitionId) => ({
        partitionId,
        leader: 0,
        replicas: [0],
        isr: [0],
        partitionErrorCode: 0,
      }));
      for (let i = 0; i < 5000; i += 1) {
        const key = Buffer.from(
          i % 3 === 0 ? `7${String(i * 7919).padStart(10, '0')}` : `key-${i}-${'ж'.repeat(i % 5)}`,
        );
        const expected = kafkajs({ topic: 't', partitionMetadata, message: { key, value: null } });
        expect(partitionForKey(key, partitions), key.toString()).to.equal(expected);
      }
    }
  });
});
