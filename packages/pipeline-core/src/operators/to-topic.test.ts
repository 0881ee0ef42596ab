import { map } from 'rxjs';
import { jsonSerde } from '../serdes/serde.js';
import { testRecord } from '../testing/test-record.js';
import { testScheduler } from '../testing/test-scheduler.js';
import { toOutputs, toTopic } from './to-topic.js';

describe('toTopic and toOutputs', () => {
  it('encodes each value to one record on the topic, keyed like its input unless told otherwise', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const source = cold('a|', { a: testRecord({ n: 1 }, { key: 'k1' }) });
      const result = source.pipe(
        toTopic('out', jsonSerde<{ n: number }>(), { headers: () => ({ h: 'v' }) }),
        map((r) => r.value.map((o) => ({ ...o, value: o.value?.toString() }))),
      );
      expectObservable(result).toBe('a|', {
        a: [{ topic: 'out', key: 'k1', value: '{"n":1}', headers: { h: 'v' } }],
      });
    });
  });

  it('fans a record out to any number of outputs', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const source = cold('a|', { a: testRecord(2, { key: 'k' }) });
      const result = source.pipe(
        toOutputs((n: number) =>
          Array.from({ length: n }, (_, i) => ({ topic: `t${i}`, key: null, value: null })),
        ),
        map((r) => r.value.map((o) => o.topic)),
      );
      expectObservable(result).toBe('a|', { a: ['t0', 't1'] });
    });
  });
});
