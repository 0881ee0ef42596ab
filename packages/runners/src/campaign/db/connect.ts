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

/** The most connections a knex instance's pool holds, when its config says (1 for the embedded PGlite profile). */
export function poolMaxOf(db: Knex): number | undefined {
  // knex types `client` as any; the config the instance was built from is on it.
  const config = (db.client as { config?: Knex.Config }).config;
  return config?.pool?.max;
}
