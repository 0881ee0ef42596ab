import type { Candidate } from '@tm/contracts';
import { type Committable, DependencyUnavailableError, RetriesExhaustedError } from '@tm/pipeline-core';
import { outcomeOf, testRecord } from '@tm/pipeline-core/testing';
import { expect } from 'chai';
import { from, lastValueFrom, toArray } from 'rxjs';
import { CampaignDbError } from '../db/errors.js';
import type { IngestResult } from '../db/ingest.js';
import { UnknownReferenceError } from './errors.js';
import { type IngestBatchesOptions, ingestBatches } from './ingest-batches.js';

const FAST_RETRY = { maxAttempts: 3, initialDelayMs: 1, maxDelayMs: 2 };

const candidate = (applicationNumber: string, phone: string, campaignId = 1): Candidate =>
  ({ candidateId: `${applicationNumber}:${campaignId}`, campaignId, phone }) as unknown as Candidate;

const record = (c: Candidate) => testRecord(c, { key: c.phone });

/** What ingestCandidates would answer for a batch in which nothing special happened. */
const stored = (candidates: readonly Candidate[], unknownCampaign: string[] = []): IngestResult => ({
  created: candidates.length - unknownCampaign.length,
  supersededInBatch: 0,
  redelivered: [],
  unknownCampaign,
  canceled: 0,
  deleteDialTasks: 0,
  outdated: 0,
});

const retriable = () =>
  new CampaignDbError('ingestCandidates', {}, Object.assign(new Error('x'), { code: '40P01' }));
const refused = () =>
  new CampaignDbError('ingestCandidates', {}, Object.assign(new Error('value too long'), { code: '22001' }));

function run(records: Committable<Candidate>[], options: Partial<IngestBatchesOptions>) {
  return lastValueFrom(
    from(records).pipe(
      ingestBatches({
        ingest: async (cs) => stored(cs),
        batchSize: 3,
        lingerMs: 5,
        concurrency: 1,
        retry: FAST_RETRY,
        ...options,
      }),
      toArray(),
    ),
  );
}

describe('ingestBatches', () => {
  it('stores batches of at most batchSize, then acks their records; dead-letters unknown campaigns', async () => {
    const calls: string[][] = [];
    const records = ['1', '2', '3', '4'].map((n) =>
      record(candidate(n, `7900000000${n}`, n === '2' ? 9 : 1)),
    );
    const emitted = await run(records, {
      ingest: async (cs) => {
        calls.push(cs.map((c) => c.candidateId));
        const mine = records.filter((r) => cs.includes(r.value));
        expect(
          mine.map((r) => outcomeOf(r).kind),
          'settled before stored',
        ).to.deep.equal(cs.map(() => 'pending'));
        return stored(
          cs,
          cs.filter((c) => c.campaignId === 9).map((c) => c.candidateId),
        );
      },
    });
    expect(emitted).to.deep.equal([]);
    expect(calls).to.deep.equal([['1:1', '2:9', '3:1'], ['4:1']]);
    expect(records.map((r) => outcomeOf(r).kind)).to.deep.equal(['acked', 'dead-lettered', 'acked', 'acked']);
    const dead = outcomeOf(records[1] as Committable<Candidate>);
    expect(dead.kind === 'dead-lettered' && dead.error).to.be.instanceOf(UnknownReferenceError);
    expect(dead.kind === 'dead-lettered' && (dead.error as Error).message).to.equal(
      '2:9: no campaign 9 in the campaign database',
    );
  });

  it('spreads clients over lanes written concurrently, keeping each client in one lane and in order', async () => {
    const phones = ['79000000001', '79000000002', '79000000003', '79000000004', '79000000005'];
    const records = Array.from({ length: 40 }, (_, i) => record(candidate(`${i}`, phones[i % 5] as string)));
    const active = new Set<readonly Candidate[]>();
    let mostActive = 0;
    const calls: Candidate[][] = [];
    await run(records, {
      concurrency: 2,
      batchSize: 4,
      ingest: async (cs) => {
        for (const other of active)
          expect(
            other.filter((c) => cs.some((d) => d.phone === c.phone)),
            'a client in two batches at once',
          ).to.deep.equal([]);
        calls.push([...cs]);
        active.add(cs);
        mostActive = Math.max(mostActive, active.size);
        await new Promise((r) => setTimeout(r, 5));
        active.delete(cs);
        return stored(cs);
      },
    });
    expect(mostActive, 'batches stored at once').to.equal(2);
    const storedOrder = calls.flat();
    expect(storedOrder).to.have.length(40);
    for (const phone of phones) {
      const order = storedOrder
        .filter((c) => c.phone === phone)
        .map((c) => Number(c.candidateId.split(':')[0]));
      expect(order, `candidates of ${phone} in arrival order`).to.deep.equal(
        [...order].sort((a, b) => a - b),
      );
    }
    expect(records.every((r) => outcomeOf(r).kind === 'acked')).to.equal(true);
  });

  it('retries a retriable failure, then acks', async () => {
    let calls = 0;
    const records = [record(candidate('1', '79000000001'))];
    await run(records, {
      ingest: async (cs) => {
        calls += 1;
        if (calls < 3) throw retriable();
        return stored(cs);
      },
    });
    expect(calls).to.equal(3);
    expect(outcomeOf(records[0] as Committable<Candidate>).kind).to.equal('acked');
  });

  it('stores a refused batch one candidate at a time and dead-letters only the ones refused alone', async () => {
    const refusedBatches: number[] = [];
    const records = ['1', 'bad', '3'].map((n) => record(candidate(n, '79000000001')));
    await run(records, {
      onBatchRefused: (_error, n) => refusedBatches.push(n),
      ingest: async (cs) => {
        if (cs.some((c) => c.candidateId === 'bad:1')) throw refused();
        return stored(cs);
      },
    });
    expect(refusedBatches).to.deep.equal([3]);
    expect(records.map((r) => outcomeOf(r).kind)).to.deep.equal(['acked', 'dead-lettered', 'acked']);
    const dead = outcomeOf(records[1] as Committable<Candidate>);
    expect(dead.kind === 'dead-lettered' && dead.attempts).to.equal(1);
  });

  it('fails the stream, settling nothing, when the database stays unavailable through every retry', async () => {
    let calls = 0;
    const records = [record(candidate('1', '79000000001')), record(candidate('2', '79000000002'))];
    const failure = await run(records, {
      ingest: async () => {
        calls += 1;
        throw retriable();
      },
    }).catch((e: unknown) => e);
    expect(failure).to.be.instanceOf(DependencyUnavailableError);
    const exhausted = (failure as DependencyUnavailableError).cause;
    expect(exhausted).to.be.instanceOf(RetriesExhaustedError);
    expect((exhausted as RetriesExhaustedError).attempts).to.equal(3);
    expect(calls).to.equal(3);
    expect(records.map((r) => outcomeOf(r).kind)).to.deep.equal(['pending', 'pending']);
  });
});
