import knex, { type Knex } from 'knex';

/** Options of {@link connectCampaignDb}. */
export interface ConnectOptions {
  /** Most connections in the pool (default 10). The embedded PGlite profile uses 1. */
  poolMax?: number;
  /** PostgreSQL schemas to search, first one receiving new tables (tests isolate themselves this way). */
  searchPath?: string[];
}

/**
 * A knex instance for the campaign database at `url` (PostgreSQL, or PGlite served over the wire protocol). The
 * caller owns it and calls `destroy()` when done.
 */
export function connectCampaignDb(url: string, options: ConnectOptions = {}): Knex {
  return knex({
    client: 'pg',
    connection: url,
    pool: { min: 0, max: options.poolMax ?? 10 },
    ...(options.searchPath ? { searchPath: options.searchPath } : {}),
  });
}
