import { type Committable, DecodeError } from '@tm/pipeline-core';
import { outcomeOf, testRecord } from '@tm/pipeline-core/testing';
import { expect } from 'chai';
import { from, lastValueFrom, toArray } from 'rxjs';
import { decodeByTopic, type KpiInput } from './kpi-input.js';

/** Decoders of two fake topics: `sync` decodes at once; `slow` waits (a schema fetched from the registry). */
function decoders(slowMs: number) {
  const application = (text: string): KpiInput => {
    if (text === 'bad') throw new Error('not Avro');
    return { kind: 'application', value: { applicationId: text } as never };
  };
  return new Map<string, (bytes: Buffer) => KpiInput | Promise<KpiInput>>([
    ['sync', (bytes: Buffer) => application(bytes.toString())],
    [
      'slow',
      (bytes: Buffer) =>
        new Promise<KpiInput>((resolve, reject) =>
          setTimeout(() => {
            try {
              resolve(application(bytes.toString()));
            } catch (err) {
              reject(err);
            }
          }, slowMs),
        ),
    ],
  ]);
}

const record = (topic: string, text: string, offset: number) =>
  testRecord(Buffer.from(text), { topic, offset });

const idOf = (r: Committable<KpiInput>) =>
  (r.value.value as unknown as { applicationId: string }).applicationId;

describe('decodeByTopic', () => {
  it('keeps the order when a decode waits, and dead-letters what cannot be decoded', async () => {
    const records = [
      record('sync', 'a', 0),
      record('slow', 'b', 0), // waits 20 ms: c and d wait behind it
      record('sync', 'c', 1),
      record('sync', 'bad', 2),
      record('slow', 'bad', 1),
      record('sync', 'd', 3),
      record('nowhere', 'e', 0),
    ];
    const out = await lastValueFrom(from(records).pipe(decodeByTopic(decoders(20)), toArray()));
    expect(out.map(idOf)).to.deep.equal(['a', 'b', 'c', 'd']);
    for (const i of [3, 4, 6]) {
      const outcome = outcomeOf(records[i] as Committable<Buffer>);
      expect(outcome.kind).to.equal('dead-lettered');
      if (outcome.kind === 'dead-lettered') expect(outcome.error).to.be.instanceOf(DecodeError);
    }
    expect(outcomeOf(records[0] as Committable<Buffer>).kind).to.equal('pending'); // acked downstream, not here
  });

  it('passes records decoded at once on synchronously', () => {
    const seen: string[] = [];
    from([record('sync', 'a', 0), record('sync', 'b', 1)])
      .pipe(decodeByTopic(decoders(0)))
      .subscribe((r) => seen.push(idOf(r)));
    expect(seen).to.deep.equal(['a', 'b']);
  });
});
