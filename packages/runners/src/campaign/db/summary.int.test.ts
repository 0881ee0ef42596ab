import { expect } from 'chai';
import { applyCallEvent } from './call-events.js';
import { campaignRowsOf, upsertCampaigns } from './campaigns.js';
import { claimDueTasks } from './claim.js';
import { applyCommunicationResult } from './communication-results.js';
import { ingestCandidates } from './ingest.js';
import { campaignDbSummary, taskCountsByState } from './summary.js';
import { at, callEvent, candidate, resultEvent, rules, useCampaignDb } from './test-support.js';

describe('campaigns and summaries (PostgreSQL)', () => {
  const { db } = useCampaignDb();

  it('upserts the configured campaigns by id, updating names and keeping unlisted ones', async () => {
    const rows = campaignRowsOf(
      [
        { campaignId: 1, name: 'loans', description: undefined },
        { campaignId: 5, name: 'dormant', description: 'asleep clients' },
      ],
      [{ campaignId: 5, domain: 'LOANS' }],
    );
    await upsertCampaigns(db(), rows);
    await upsertCampaigns(db(), rows);
    const { rows: stored } = await db().raw<{
      rows: { id: string; name: string; description: string | null }[];
    }>('SELECT ID, NAME, DESCRIPTION FROM TM$CAMPAIGNS ORDER BY ID');
    expect(stored).to.deep.equal([
      { id: '1', name: 'loans', description: null },
      { id: '2', name: 'pos reject', description: 'second campaign' },
      { id: '5', name: 'dormant', description: 'asleep clients' },
    ]);
    const { rows: next } = await db().raw<{ rows: { id: string }[] }>(
      `INSERT INTO TM$CAMPAIGNS (NAME, DOMAIN) VALUES ('added by hand', 'LOANS') RETURNING ID`,
    );
    expect(next[0]?.id).to.equal('6');
  });

  it('counts tasks per state, and per campaign with communications, re-calls and the outbox backlog', async () => {
    expect(await taskCountsByState(db())).to.deep.equal({ NEW: 0, IN_PROGRESS: 0, DONE: 0, CANCELED: 0 });
    await ingestCandidates(
      db(),
      [
        candidate('1', '79001110001'),
        candidate('2', '79001110002'),
        candidate('3', '79001110003', { campaignId: 2 }),
      ],
      at(8),
    );
    const [first] = await claimDueTasks(db(), { now: at(9), limit: 1, campaigns: rules() });
    const taskId = first!.dialTask.taskId;
    await applyCallEvent(db(), callEvent('CALL_STARTED', taskId, 'call-1'));
    await applyCallEvent(db(), callEvent('CALL_ENDED', taskId, 'call-1'));
    await applyCommunicationResult(db(), resultEvent(1, taskId, 'FIXED', 'NO_ANSWER'), {
      now: at(9),
      campaigns: rules({ recallBlockMinutes: 0 }),
    });
    // Task 1 again (attempt 2), tasks 2 and 3; then a new candidate of task 2's client replaces it.
    await claimDueTasks(db(), { now: at(9), limit: 10, campaigns: rules() });
    await ingestCandidates(db(), [candidate('4', '79001110002')], at(9));

    expect(await taskCountsByState(db())).to.deep.equal({ NEW: 1, IN_PROGRESS: 2, DONE: 0, CANCELED: 1 });
    expect(await campaignDbSummary(db())).to.deep.equal({
      campaigns: [
        {
          campaignId: 1,
          name: 'mobile loans',
          tasks: { NEW: 1, IN_PROGRESS: 1, DONE: 0, CANCELED: 1 },
          communications: { NEW: 0, DRAFT: 0, FIXED: 1 },
          recalls: 1,
        },
        {
          campaignId: 2,
          name: 'pos reject',
          tasks: { NEW: 0, IN_PROGRESS: 1, DONE: 0, CANCELED: 0 },
          communications: { NEW: 0, DRAFT: 0, FIXED: 0 },
          recalls: 0,
        },
      ],
      unpublishedDialTasks: 5,
    });
  });
});
