import { expect } from 'chai';
import { formatTable, passed, reportRows } from './report.js';

describe('chaos report', () => {
  const kinds = ['kill-intake', 'kafka-restart'] as const;

  it('has one row per kind and one for no fault, with the longest recovery and the violations of its files', () => {
    const rows = reportRows(
      kinds,
      [
        { kind: 'kill-intake', injectedAtMs: 1_000, recoveryMs: 4_000, exited: [] },
        { kind: 'kill-intake', injectedAtMs: 9_000, recoveryMs: 6_500, exited: [] },
        { kind: 'kafka-restart', injectedAtMs: 20_000, recoveryMs: 12_000, exited: ['analyser'] },
      ],
      [
        { invariant: 'published once', kind: 'duplicated', key: 'x1', applicationNumber: 'x1' },
        { invariant: 'one task', kind: 'lost', key: 'y1:1', applicationNumber: 'y1' },
        { invariant: 'no stuck task', kind: 'stuck', key: 'task 3' },
      ],
      (a) => (a === 'x1' ? 'kafka-restart' : undefined),
    );
    expect(rows).to.deep.equal([
      {
        fault: 'kill-intake',
        injected: 2,
        lost: 0,
        duplicated: 0,
        stuck: 0,
        longestRecoveryMs: 6_500,
        exits: 0,
      },
      {
        fault: 'kafka-restart',
        injected: 1,
        lost: 0,
        duplicated: 1,
        stuck: 0,
        longestRecoveryMs: 12_000,
        exits: 1,
      },
      {
        fault: 'none',
        injected: 0,
        lost: 1,
        duplicated: 0,
        stuck: 1,
        longestRecoveryMs: undefined,
        exits: 0,
      },
    ]);
    expect(passed(rows)).to.equal(false);
    expect(formatTable(rows)).to.include('| kafka-restart | 1 | 0 | 1 | 0 | 12.0 s | 1 |');
  });

  it('fails a run where a fault did not recover, even with no violation', () => {
    const rows = reportRows(
      kinds,
      [{ kind: 'kafka-restart', injectedAtMs: 0, recoveryMs: undefined, exited: [] }],
      [],
      () => undefined,
    );
    expect(formatTable(rows)).to.include('not recovered');
    expect(passed(rows)).to.equal(false);
    expect(passed(reportRows(kinds, [], [], () => undefined))).to.equal(true);
  });
});
