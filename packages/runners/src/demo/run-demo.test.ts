import { expect } from 'chai';
import { runDemo } from './run-demo.js';

describe('pnpm demo (embedded default)', function () {
  this.timeout(120_000);

  it('takes every generated row to exactly one place: an error file, or per campaign a task or a rejection', async () => {
    const summary = await runDemo({ rows: 600, seed: 7 });
    expect(summary.filesAccepted).to.equal(4);
    expect(summary.filesRejected, 'one bad file per stream').to.equal(2);
    expect(summary.rowsRead).to.equal(600);
    expect(summary.rowsPublished).to.equal(400); // the two rejected files held 100 rows each
    const campaigns = Object.values(summary.campaigns);
    expect(campaigns).to.have.length(2);
    for (const c of campaigns) {
      const rejected = Object.values(c.rejections).reduce((a, b) => a + b, 0);
      expect(c.candidates + rejected, 'each application decided once per campaign').to.equal(
        summary.rowsPublished,
      );
    }
    const tasks = Object.values(summary.tasks).reduce((a, b) => a + b, 0);
    expect(summary.candidates).to.be.greaterThan(0);
    expect(tasks, 'one task per candidate').to.equal(summary.candidates);
    expect((summary.tasks.IN_PROGRESS ?? 0) + (summary.tasks.CANCELED ?? 0)).to.equal(tasks);
    expect(summary.dialTasks, 'every open task dispatched (calling hours widened)').to.equal(
      summary.tasks.IN_PROGRESS,
    );
    expect(
      summary.rejections.DATA_STREAM,
      "each stream's applications are outside the other stream's campaign",
    ).to.equal(summary.rowsPublished);
  });
});
