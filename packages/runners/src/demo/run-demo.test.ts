import { expect } from 'chai';
import { type DemoSummary, runDemo } from './run-demo.js';

const sum = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);

describe('pnpm demo (embedded default)', function () {
  this.timeout(240_000);
  let summary: DemoSummary;

  before(async function () {
    this.timeout(240_000);
    // A third of the answered calls left unsaved: which operator gets which call depends on timing, so with the
    // default 10% a run of ~30 answered calls would leave none unsaved about once in 25 runs.
    summary = await runDemo({ rows: 600, seed: 7, unsavedShare: 0.3 });
  });

  it('takes every generated row to exactly one place: an error file, or per campaign a task or a rejection', () => {
    expect(summary.filesAccepted).to.equal(4);
    expect(summary.filesRejected, 'one bad file per stream').to.equal(2);
    expect(summary.rowsRead).to.equal(600);
    expect(summary.rowsPublished).to.equal(400); // the two rejected files held 100 rows each
    const campaigns = Object.values(summary.campaigns);
    expect(campaigns).to.have.length(2);
    for (const c of campaigns) {
      const rejected = sum(c.rejections);
      expect(c.candidates + rejected, 'each application decided once per campaign').to.equal(
        summary.rowsPublished,
      );
    }
    expect(summary.candidates).to.be.greaterThan(0);
    expect(sum(summary.tasks), 'one task per candidate').to.equal(summary.candidates);
    expect(
      summary.rejections.DATA_STREAM,
      "each stream's applications are outside the other stream's campaign",
    ).to.equal(summary.rowsPublished);
  });

  it('calls every task and closes it: tasks end DONE (or NEW for a re-call, or CANCELED), none left in progress', () => {
    expect(summary.settled, 'the loop settled before its time ran out').to.equal(true);
    expect(summary.tasks.IN_PROGRESS).to.equal(0);
    const { DONE = 0, NEW = 0, CANCELED = 0 } = summary.tasks;
    expect(DONE + NEW + CANCELED).to.equal(summary.candidates);
    const { calls } = summary;
    expect(calls.inProgress).to.equal(0);
    expect(calls.made, 'every call ended one way').to.equal(
      calls.answered + calls.noAnswer + calls.busy + calls.failed,
    );
    expect(summary.dialTaskDeletes).to.equal(0); // seed 7 has no client twice in a campaign
    expect(calls.made, 'one call per dial task').to.equal(summary.dialTasks);
    expect(calls.answered, 'the simulator answers some calls and not others').to.be.within(1, calls.made - 1);
  });

  it('gets every answered call a result through the ARM, directly or by reworking the server’s draft', () => {
    const { results, calls, operators } = summary;
    expect(results.answeredWithoutResult, 'an answered call with neither result nor draft').to.equal(0);
    expect(results.saved, 'one result per answered call').to.equal(calls.answered);
    expect(sum(results.byCode), 'results per code sum to the results').to.equal(results.saved);
    expect(Object.keys(results.byCode).length, 'seeded weights pick several codes').to.be.greaterThan(1);
    expect(operators.answeredCards, 'each answered call was seen, or drafted by the server').to.be.at.least(
      calls.answered - results.serverDrafts,
    );
    expect(
      results.serverDrafts,
      'every call left unsaved on purpose drafted by the 60-second rule',
    ).to.be.at.least(operators.leftUnsaved);
    expect(operators.leftUnsaved, 'a third of the answered calls left unsaved (seeded)').to.be.greaterThan(0);
    expect(
      results.reworked + results.draftsAfterResult,
      'every server draft reworked, or drafted after the operator’s own save (which stands)',
    ).to.equal(results.serverDrafts);
  });

  it('re-calls the call-again results until the attempt limit', () => {
    const { recalls, results } = summary;
    expect(summary.dialTasks, 'a first attempt per task, then the re-calls').to.equal(
      summary.candidates + recalls.dispatched,
    );
    expect(recalls.dispatched, 're-calls are due at once in the demo').to.equal(recalls.scheduled);
    // The operators' call-again results, and the calls nobody answered, which the engine closes with their outcome.
    const callAgain =
      (results.byCode.CALL_BACK_LATER ?? 0) +
      (results.byCode.NOT_INTERESTED ?? 0) +
      summary.calls.noAnswer +
      summary.calls.busy;
    expect(
      recalls.scheduled + recalls.attemptLimitReached,
      'each call-again result re-calls or hits the limit',
    ).to.equal(callAgain);
    expect(recalls.scheduled).to.be.greaterThan(0);
  });

  it('reports the KPI stage’s figures, which agree with the topics and the database', () => {
    // Today's window (Moscow day); a run across 21:00 UTC would split the figures over two days.
    const { counters } = summary.kpi;
    expect(counters['calls.started']).to.equal(summary.calls.made);
    expect(counters['calls.ANSWERED']).to.equal(summary.calls.answered);
    expect(counters['results.FIXED']).to.equal(summary.results.saved);
    // The KPI stage counts a draft only while the call has no result: not one that came after the operator's save.
    expect(counters['results.DRAFT']).to.equal(
      summary.results.serverDrafts - summary.results.draftsAfterResult,
    );
    expect(counters.reworked ?? 0).to.equal(summary.results.reworked);
    expect(counters.recalls).to.equal(summary.recalls.dispatched);
    expect(summary.kpi.answerRate).to.be.within(0, 1);
    expect(summary.elapsedMs).to.be.greaterThan(0);
    expect(summary.rowsPerSecond).to.be.greaterThan(0);
  });
});
