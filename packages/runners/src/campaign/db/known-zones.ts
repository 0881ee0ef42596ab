import type { Knex } from 'knex';

/**
 * Zone names PostgreSQL has confirmed it knows, for this process. Node's ICU and PostgreSQL's tz database can
 * differ for rare names, and one unknown name in CLIENT_TIME_ZONE would fail every dispatch statement that reads
 * it. Names are few, so each is asked once.
 */
const confirmed = new Set<string>();

/**
 * Returns `zones` with every name PostgreSQL does not know replaced by `fallback`. Asks PostgreSQL
 * (`pg_timezone_names`) only about names not confirmed before.
 */
export async function zonesPostgresKnows(
  db: Knex,
  zones: readonly string[],
  fallback: string,
): Promise<string[]> {
  const unknown = [...new Set(zones)].filter((z) => !confirmed.has(z));
  if (unknown.length > 0) {
    const { rows } = await db.raw<{ rows: { name: string }[] }>(
      'SELECT name FROM pg_timezone_names WHERE name = ANY(?::text[])',
      [unknown],
    );
    for (const r of rows) confirmed.add(r.name);
  }
  return zones.map((z) => (confirmed.has(z) ? z : fallback));
}
