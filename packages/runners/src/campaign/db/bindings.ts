import type { Knex } from 'knex';

/**
 * A JavaScript array as one bound parameter (a PostgreSQL array for `unnest(?::text[])` or `= ANY(?)`). knex hands
 * arrays to pg unchanged, and pg sends them as array literals, NULLs included; knex's `Value` type only lacks the
 * nullable and readonly variants, hence the cast.
 */
export function sqlArray(values: readonly (string | number | boolean | Date | null)[]): Knex.Value {
  return values as Knex.Value;
}
