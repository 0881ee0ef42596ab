import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import type { Knex } from 'knex';
import { connectCampaignDb } from '../campaign/db/connect.js';

/** Options of {@link startEmbeddedPostgres}. */
export interface EmbeddedPostgresOptions {
  /** Directory to keep the database in across runs; in memory when absent. */
  dataDir?: string;
  /** Interface to listen on (default 127.0.0.1). The port is always a free one the system picks. */
  host?: string;
}

/** A running embedded PostgreSQL. */
export interface EmbeddedPostgres {
  /** `postgres://postgres@127.0.0.1:<port>/postgres`, for code that wants a URL. */
  url: string;
  /**
   * The one knex instance of the embedded profile, with a pool of one connection: PGlite runs one session, and
   * pglite-socket accepts one connection at a time (it closes a second one at once, ADR 0037). Queries of the
   * process queue in knex's pool for that connection.
   */
  knex: Knex;
  /** Destroys the knex pool, stops the socket server and closes PGlite (flushing `dataDir`). */
  close(): Promise<void>;
}

/**
 * Starts the embedded default database (DESIGN.md §5): PGlite, PostgreSQL compiled to WebAssembly and run in this
 * process, served over the PostgreSQL wire protocol by pglite-socket on a free local port, so the same pg/knex
 * code runs against it as against a PostgreSQL server.
 */
export async function startEmbeddedPostgres(
  options: EmbeddedPostgresOptions = {},
): Promise<EmbeddedPostgres> {
  const pglite = await PGlite.create(options.dataDir ? { dataDir: options.dataDir } : {});
  const server = new PGLiteSocketServer({ db: pglite, host: options.host ?? '127.0.0.1', port: 0 });
  try {
    await server.start();
  } catch (err) {
    await pglite.close();
    throw err;
  }
  const url = `postgres://postgres@${server.getServerConn()}/postgres`;
  const knex = connectCampaignDb(url, { poolMax: 1 });
  let closed: Promise<void> | undefined;
  return {
    url,
    knex,
    close: () => {
      closed ??= (async () => {
        await knex.destroy();
        await server.stop();
        await pglite.close();
      })();
      return closed;
    },
  };
}
