import { loadPipelineConfig } from '@tm/contracts';
import type { Command } from 'commander';
import { campaignRowsOf, upsertCampaigns } from '../campaign/db/campaigns.js';
import { connectCampaignDb } from '../campaign/db/connect.js';
import { migrateToLatest } from '../campaign/db/migrate.js';
import { configOption, configPathOf } from './config-option.js';

/** Options of `tm migrate`. */
export interface MigrateOptions {
  config?: string;
  databaseUrl?: string;
}

/** Host and database of a connection URL, without user or password, for messages. */
function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || '5432'}${u.pathname}`;
  } catch {
    return '(unparsable database URL)';
  }
}

/**
 * Applies the campaign database's pending migrations and upserts the config's campaigns into TM$CAMPAIGNS.
 * Returns the lines it reports.
 */
export async function runMigrate(options: MigrateOptions): Promise<string[]> {
  const config = loadPipelineConfig(configPathOf(options));
  const url = options.databaseUrl ?? config.infra.databaseUrl;
  const db = connectCampaignDb(url, { poolMax: 1 });
  try {
    const applied = await migrateToLatest(db);
    const campaigns = campaignRowsOf(config.eventsAnalyser.campaigns, config.campaignEngine.campaigns);
    await upsertCampaigns(db, campaigns);
    return [
      applied.length > 0
        ? `${describeUrl(url)}: applied ${applied.length} migration(s): ${applied.join(', ')}`
        : `${describeUrl(url)}: already current`,
      `campaigns upserted: ${campaigns.map((c) => c.id).join(', ')}`,
    ];
  } finally {
    await db.destroy();
  }
}

/** `tm migrate [--config FILE] [--database-url URL]`. */
export function register(program: Command): void {
  program
    .command('migrate')
    .addOption(configOption())
    .description(
      'Apply the campaign database migrations and upsert the configured campaigns into TM$CAMPAIGNS.',
    )
    .option('--database-url <url>', 'PostgreSQL URL (default: infra.database.url of the config)')
    .action(async (options: MigrateOptions) => {
      for (const line of await runMigrate(options)) console.log(line);
    });
}
