import type { CampaignConfig, CampaignEngineRules } from '@tm/contracts';
import type { Knex } from 'knex';
import { sqlArray } from './bindings.js';
import { withDbContext } from './errors.js';

/** A TM$CAMPAIGNS row as the config defines it. */
export interface CampaignRow {
  id: number;
  name: string;
  domain: CampaignEngineRules['domain'];
  description: string | null;
}

/**
 * The TM$CAMPAIGNS rows of a pipeline config: id, name and description from `events-analyser.campaigns`, domain from
 * the `campaign-engine` rules (LOANS unless set).
 */
export function campaignRowsOf(
  analyserCampaigns: readonly Pick<CampaignConfig, 'campaignId' | 'name' | 'description'>[],
  rules: readonly Pick<CampaignEngineRules, 'campaignId' | 'domain'>[],
): CampaignRow[] {
  const domains = new Map(rules.map((r) => [r.campaignId, r.domain]));
  return analyserCampaigns.map((c) => ({
    id: c.campaignId,
    name: c.name,
    domain: domains.get(c.campaignId) ?? 'LOANS',
    description: c.description ?? null,
  }));
}

/**
 * Inserts or updates the configured campaigns in TM$CAMPAIGNS, by id (the config's `campaign-id`), at engine
 * start. Campaigns in the table but no longer in the config are left alone: their tasks still refer to them. The
 * id sequence is moved past the largest id, so a row added without an id cannot collide.
 */
export async function upsertCampaigns(db: Knex, campaigns: readonly CampaignRow[]): Promise<void> {
  if (campaigns.length === 0) return;
  await withDbContext('upsertCampaigns', { campaigns: campaigns.length }, () =>
    db.transaction(async (trx) => {
      await trx.raw(
        `INSERT INTO TM$CAMPAIGNS (ID, NAME, DOMAIN, DESCRIPTION)
         SELECT * FROM unnest(?::bigint[], ?::text[], ?::domains[], ?::text[])
         ON CONFLICT (ID) DO UPDATE
           SET NAME = EXCLUDED.NAME, DOMAIN = EXCLUDED.DOMAIN, DESCRIPTION = EXCLUDED.DESCRIPTION
           WHERE (TM$CAMPAIGNS.NAME, TM$CAMPAIGNS.DOMAIN, TM$CAMPAIGNS.DESCRIPTION)
                 IS DISTINCT FROM (EXCLUDED.NAME, EXCLUDED.DOMAIN, EXCLUDED.DESCRIPTION)`,
        [
          campaigns.map((c) => c.id),
          campaigns.map((c) => c.name),
          campaigns.map((c) => c.domain),
          sqlArray(campaigns.map((c) => c.description)),
        ],
      );
      await trx.raw(
        `SELECT setval(pg_get_serial_sequence('TM$CAMPAIGNS', 'id'), (SELECT max(ID) FROM TM$CAMPAIGNS))`,
      );
    }),
  );
}
