import type { Knex } from 'knex';
import { withDbContext } from './errors.js';

/** The campaign task states (CAMPAIGN_TASK_STATES, with this project's CANCELED). */
export const TASK_STATES = ['NEW', 'IN_PROGRESS', 'DONE', 'CANCELED'] as const;
export type TaskState = (typeof TASK_STATES)[number];

/** The communication states (COMMUNICATION_STATES). */
export const COMMUNICATION_STATES = ['NEW', 'DRAFT', 'FIXED'] as const;
export type CommunicationState = (typeof COMMUNICATION_STATES)[number];

const zeroes = <K extends string>(keys: readonly K[]): Record<K, number> =>
  Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;

/** How many campaign tasks are in each state, every state present (0 when none). */
export async function taskCountsByState(db: Knex): Promise<Record<TaskState, number>> {
  return withDbContext('taskCountsByState', {}, async () => {
    const { rows } = await db.raw<{ rows: { state: TaskState; n: number }[] }>(
      'SELECT TASK_STATE AS state, count(*)::int AS n FROM TM$CAMPAIGN_TASKS GROUP BY TASK_STATE',
    );
    const counts = zeroes(TASK_STATES);
    for (const r of rows) counts[r.state] = r.n;
    return counts;
  });
}

/** One campaign's figures for the demo summary. */
export interface CampaignSummary {
  campaignId: number;
  name: string;
  tasks: Record<TaskState, number>;
  communications: Record<CommunicationState, number>;
  /** Re-calls made: dispatches beyond each task's first. */
  recalls: number;
}

/** The whole database at a glance: per campaign, and the outbox backlog. */
export interface CampaignDbSummary {
  campaigns: CampaignSummary[];
  /** Dial tasks written but not yet acknowledged by Kafka. */
  unpublishedDialTasks: number;
}

/** Figures for the demo's closing summary and for the KPIs: tasks and communications per campaign and state. */
export async function campaignDbSummary(db: Knex): Promise<CampaignDbSummary> {
  return withDbContext('campaignDbSummary', {}, async () => {
    const [campaigns, tasks, communications, outbox] = await Promise.all([
      db.raw<{ rows: { id: string; name: string }[] }>('SELECT ID, NAME FROM TM$CAMPAIGNS ORDER BY ID'),
      db.raw<{ rows: { campaign_id: string; state: TaskState; n: number; recalls: number }[] }>(
        `SELECT CAMPAIGN_ID, TASK_STATE AS state, count(*)::int AS n, coalesce(sum(greatest(ATTEMPT - 1, 0)), 0)::int AS recalls
           FROM TM$CAMPAIGN_TASKS GROUP BY CAMPAIGN_ID, TASK_STATE`,
      ),
      db.raw<{ rows: { campaign_id: string; state: CommunicationState; n: number }[] }>(
        `SELECT t.CAMPAIGN_ID, c.STATE AS state, count(*)::int AS n
           FROM TM$COMMUNICATIONS c JOIN TM$CAMPAIGN_TASKS t ON t.ID = c.CAMPAIGN_TASK_ID
          GROUP BY t.CAMPAIGN_ID, c.STATE`,
      ),
      db.raw<{ rows: { n: number }[] }>(
        'SELECT count(*)::int AS n FROM TM$DIAL_TASK_OUTBOX WHERE PUBLISHED_AT IS NULL',
      ),
    ]);
    const byId = new Map<number, CampaignSummary>(
      campaigns.rows.map((c) => [
        Number(c.id),
        {
          campaignId: Number(c.id),
          name: c.name,
          tasks: zeroes(TASK_STATES),
          communications: zeroes(COMMUNICATION_STATES),
          recalls: 0,
        },
      ]),
    );
    for (const r of tasks.rows) {
      const s = byId.get(Number(r.campaign_id));
      if (!s) continue;
      s.tasks[r.state] = r.n;
      s.recalls += r.recalls;
    }
    for (const r of communications.rows) {
      const s = byId.get(Number(r.campaign_id));
      if (s) s.communications[r.state] = r.n;
    }
    return { campaigns: [...byId.values()], unpublishedDialTasks: outbox.rows[0]?.n ?? 0 };
  });
}
