import { expect } from 'chai';
import { type ChaosFacts, checkInvariants, republishedAdds } from './invariants.js';

/** Two files of two rows, two campaigns; everything exactly once unless a test changes it. */
function facts(change: Partial<ChaosFacts> = {}): ChaosFacts {
  return {
    files: [
      { name: 'a.csv', stream: 'S', validApplicationNumbers: ['a1', 'a2'], settled: true },
      { name: 'b.csv', stream: 'S', validApplicationNumbers: ['b1'], settled: true },
    ],
    campaigns: ['1', '2'],
    published: ['a1', 'a2', 'b1'],
    decisions: [
      { applicationNumber: 'a1', campaignId: '1', candidateId: 'a1:1' },
      { applicationNumber: 'a1', campaignId: '2' },
      { applicationNumber: 'a2', campaignId: '1' },
      { applicationNumber: 'a2', campaignId: '2' },
      { applicationNumber: 'b1', campaignId: '1', candidateId: 'b1:1' },
      { applicationNumber: 'b1', campaignId: '2' },
    ],
    tasks: [
      { taskId: '10', candidateId: 'a1:1', state: 'IN_PROGRESS' },
      { taskId: '11', candidateId: 'b1:1', state: 'CANCELED' },
    ],
    outboxAdds: [{ dialTaskId: '100', taskId: '10', published: true }],
    publishedAdds: ['100'],
    ...change,
  };
}

const summary = (f: ChaosFacts) =>
  checkInvariants(f).map((v) => `${v.invariant}/${v.kind}/${v.key}/${v.applicationNumber ?? '-'}`);

describe('chaos invariants', () => {
  it('hold when everything happened once', () => {
    expect(summary(facts())).to.deep.equal([]);
  });

  it('count a row published twice as duplicated and a missing one as lost, not again downstream', () => {
    const f = facts({
      published: ['a1', 'a1', 'b1'],
      decisions: facts().decisions.filter((d) => d.applicationNumber !== 'a2'),
    });
    expect(summary(f)).to.deep.equal(['published once/duplicated/a1/a1', 'published once/lost/a2/a2']);
  });

  it('count the rows of a file still in its folder as stuck', () => {
    const f = facts({
      files: [facts().files[0]!, { ...facts().files[1]!, settled: false }],
      published: ['a1', 'a2'],
      decisions: facts().decisions.filter((d) => d.applicationNumber !== 'b1'),
      tasks: [facts().tasks[0]!],
    });
    expect(summary(f)).to.deep.equal(['published once/stuck/b1/b1']);
  });

  it('find a doubled decision, a candidate without a task, and a missing decision', () => {
    const f = facts({
      decisions: [
        ...facts().decisions.filter((d) => d.applicationNumber !== 'a2' || d.campaignId !== '2'),
        facts().decisions[1]!,
      ],
      tasks: [facts().tasks[0]!],
    });
    expect(summary(f)).to.deep.equal([
      'one decision/duplicated/a1:2/a1',
      'one decision/lost/a2:2/a2',
      'one task/lost/b1:1/b1',
    ]);
  });

  it('find an ADD never published (stuck), one marked published but not on the topic, a dispatched task without one', () => {
    const tasks = [
      { taskId: '10', candidateId: 'a1:1', state: 'IN_PROGRESS' },
      { taskId: '11', candidateId: 'b1:1', state: 'IN_PROGRESS' },
    ];
    expect(summary(facts({ tasks }))).to.deep.equal(['one ADD/lost/task 11/b1']);
    expect(summary(facts({ publishedAdds: [] }))).to.deep.equal(['one ADD/lost/100/a1']);
    expect(
      summary(
        facts({ outboxAdds: [{ dialTaskId: '100', taskId: '10', published: false }], publishedAdds: [] }),
      ),
    ).to.deep.equal(['one ADD/stuck/100/a1']);
  });

  it('let an ADD be published again (at least once, ADR 0034) and count the repeats apart', () => {
    const f = facts({ publishedAdds: ['100', '100', '100'] });
    expect(summary(f)).to.deep.equal([]);
    expect(republishedAdds(f)).to.equal(2);
  });

  it('do not ask a finished task for its pruned ADD row', () => {
    const tasks = [facts().tasks[0]!, { taskId: '11', candidateId: 'b1:1', state: 'DONE' }];
    expect(summary(facts({ tasks }))).to.deep.equal([]);
  });

  it('count a task left NEW as stuck', () => {
    const tasks = [{ taskId: '10', candidateId: 'a1:1', state: 'NEW' }, facts().tasks[1]!];
    expect(summary(facts({ tasks, outboxAdds: [], publishedAdds: [] }))).to.deep.equal([
      'no stuck task/stuck/task 10/a1',
    ]);
  });
});
