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
    telephonyAdds: { 'ADD:10:1': 1 },
    callsMade: 1,
    callEvents: [
      { eventId: 'e1', callId: 'c1', type: 'CALL_STARTED', taskId: '10' },
      { eventId: 'e2', callId: 'c1', type: 'CALL_ENDED', taskId: '10' },
    ],
    saves: [{ communicationId: '500', outcome: 'saved' }],
    resultEvents: [{ eventId: 'r1', communicationId: '500', state: 'FIXED' }],
    communications: [{ communicationId: '500', taskId: '10', state: 'FIXED', resultEventId: 'r1' }],
    waitLimitsMs: { 'call-start': 60_000, 'call-end': 10_000, engine: 5_000 },
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

  describe('the operator half', () => {
    it('count a dial task the telephony got twice, by its dial-task id, on its application', () => {
      expect(summary(facts({ telephonyAdds: { 'ADD:10:1': 3, 'ADD:11:1': 1 } }))).to.deep.equal([
        'one telephony task/duplicated/ADD:10:1/a1',
        'one telephony task/duplicated/ADD:10:1/a1',
      ]);
    });

    it('count a call started twice (two event ids), not a replayed event (one event id twice)', () => {
      const replayed = facts({ callEvents: [...facts().callEvents, facts().callEvents[0]!] });
      expect(summary(replayed)).to.deep.equal([]);
      const twice = facts({
        callEvents: [
          ...facts().callEvents,
          { eventId: 'e3', callId: 'c1', type: 'CALL_STARTED', taskId: '10' },
        ],
      });
      expect(summary(twice)).to.deep.equal(['one start, one end/duplicated/call c1 CALL_STARTED/a1']);
    });

    it('count a call without its end as stuck, one without its start and one never published as lost', () => {
      const f = facts({
        callsMade: 3,
        callEvents: [
          { eventId: 'e1', callId: 'c1', type: 'CALL_STARTED', taskId: '10' },
          { eventId: 'e4', callId: 'c2', type: 'CALL_ENDED', taskId: '10' },
        ],
      });
      expect(summary(f)).to.deep.equal([
        'one start, one end/stuck/call c1 CALL_ENDED/a1',
        'one start, one end/lost/call c2 CALL_STARTED/a1',
        'one start, one end/lost/a call the telephony made, not published/-',
      ]);
    });

    it('count an acknowledged save with no result published, or not stored, as lost', () => {
      expect(summary(facts({ resultEvents: [] }))).to.deep.equal([
        'one stored result/lost/communication 500 saved, no result published/a1',
      ]);
      const draft = [{ communicationId: '500', taskId: '10', state: 'DRAFT' }];
      expect(summary(facts({ communications: draft }))).to.deep.equal([
        'one stored result/lost/communication 500 saved, stored DRAFT/a1',
      ]);
      const other = [{ communicationId: '500', taskId: '10', state: 'FIXED', resultEventId: 'r9' }];
      expect(summary(facts({ communications: other }))).to.deep.equal([
        'one stored result/lost/communication 500 saved, stored FIXED/a1',
      ]);
    });

    it('count FIXED results published beyond the saves that reached the ARM, not a repeated event id', () => {
      const r2 = { eventId: 'r2', communicationId: '500', state: 'FIXED' as const };
      expect(summary(facts({ resultEvents: [...facts().resultEvents, r2] }))).to.deep.equal([
        'one stored result/duplicated/communication 500 a FIXED result published beyond its saves/a1',
      ]);
      const unanswered = facts({
        resultEvents: [...facts().resultEvents, r2],
        saves: [...facts().saves, { communicationId: '500', outcome: 'unknown' }],
      });
      expect(summary(unanswered)).to.deep.equal([]);
      const repeated = facts({ resultEvents: [...facts().resultEvents, facts().resultEvents[0]!] });
      expect(summary(repeated)).to.deep.equal([]);
      const draft = { eventId: 'd1', communicationId: '500', state: 'DRAFT' as const };
      expect(summary(facts({ resultEvents: [...facts().resultEvents, draft] }))).to.deep.equal([]);
    });

    it('count a task IN_PROGRESS past the limit of the step it waits for as stuck, not one within it', () => {
      const waiting = (waitingFor: 'call-start' | 'call-end' | 'engine', waitedMs: number) =>
        facts({ tasks: [{ ...facts().tasks[0]!, waitingFor, waitedMs }, facts().tasks[1]!] });
      expect(summary(waiting('call-start', 59_000))).to.deep.equal([]);
      expect(summary(waiting('call-start', 61_000))).to.deep.equal([
        'no stuck task/stuck/task 10 (IN_PROGRESS, waiting for call-start 61 s)/a1',
      ]);
      expect(summary(waiting('call-end', 11_000))).to.deep.equal([
        'no stuck task/stuck/task 10 (IN_PROGRESS, waiting for call-end 11 s)/a1',
      ]);
      expect(summary(waiting('engine', 4_000))).to.deep.equal([]);
      expect(summary(waiting('engine', 6_000))).to.have.length(1);
    });
  });
});
