import { MemoryBroker, memoryTransport } from '@tm/pipeline-core';
import { expect } from 'chai';
import { FileLedger, type LedgerEntry, ledgerKey, resumeDecision } from './ledger.js';

const entry = (over: Partial<LedgerEntry> = {}): LedgerEntry => ({
  stream: 'MOBILE_LOANS',
  file: 'abc',
  name: 'a.csv',
  line: 0,
  rows: 0,
  done: false,
  at: 1,
  ...over,
});

describe('intake ledger', () => {
  describe('resumeDecision', () => {
    it('publishes a file the ledger does not know from the start', () => {
      expect(resumeDecision(undefined)).to.deep.equal({ kind: 'fresh' });
    });

    it('resumes an interrupted file after its last committed line', () => {
      expect(resumeDecision(entry({ line: 10_007, rows: 10_000 }))).to.deep.equal({
        kind: 'resume',
        afterLine: 10_007,
        rows: 10_000,
      });
    });

    it('publishes nothing of a finished file (only the move to success/ is left)', () => {
      expect(resumeDecision(entry({ line: 20, rows: 20, done: true }))).to.deep.equal({
        kind: 'done',
        rows: 20,
      });
      expect(resumeDecision(entry({ line: 0, rows: 0, done: true }))).to.deep.equal({
        kind: 'done',
        rows: 0,
      });
    });

    it('starts afresh from an entry that committed no line', () => {
      expect(resumeDecision(entry({ line: 0 }))).to.deep.equal({ kind: 'fresh' });
    });
  });

  describe('FileLedger.load (memory transport)', () => {
    it('reads every committed entry, the latest per file, up to the barrier of each producer', async () => {
      const broker = new MemoryBroker();
      const transport = memoryTransport(broker);
      await transport.ensureTopics([{ topic: 'ledger', partitions: 1 }]);
      const writer = transport.createProducer({ transactionalId: 'w' });
      await writer.connect();
      const scratch = new FileLedger('ledger');
      for (const e of [
        entry({ line: 5, rows: 5 }),
        entry({ line: 9, rows: 9 }),
        entry({ file: 'def', done: true }),
      ]) {
        const txn = await writer.transaction();
        await txn.send([scratch.recordOf(e)]);
        await txn.commit();
      }
      const aborted = await writer.transaction();
      await aborted.send([scratch.recordOf(entry({ line: 99, rows: 99 }))]);
      await aborted.abort();

      const producers = ['p1', 'p2'].map((id) => ({
        producer: transport.createProducer({ transactionalId: id }),
        transactionalId: id,
      }));
      for (const p of producers) await p.producer.connect();
      const ledger = await FileLedger.load(transport, 'ledger', producers, { groupPrefix: 'test' });
      expect(ledger.get('MOBILE_LOANS', 'abc')).to.include({ line: 9, rows: 9, done: false });
      expect(ledger.get('MOBILE_LOANS', 'def')).to.include({ done: true });
      expect(ledger.get('POS_REJECT', 'abc')).to.equal(undefined);
      expect(ledger.size).to.equal(2);
      expect(ledgerKey('S', 'h')).to.equal('S/h');
      ledger.committed(entry({ file: 'ghi', line: 1, rows: 1 }));
      expect(ledger.get('MOBILE_LOANS', 'ghi')).to.include({ line: 1 });
    });
  });
});
