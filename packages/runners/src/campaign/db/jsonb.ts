/**
 * JSON text PostgreSQL accepts as jsonb: jsonb refuses the NUL character (`\u0000`, SQLSTATE 22P05, not retriable),
 * which a malformed CSV value or an operator's comment could carry, and one such value would fail its statement on
 * every retry. NULs are dropped from string values; everything else is `JSON.stringify`'s output.
 *
 * Use it for every value bound as a `jsonb` parameter.
 */
export function jsonbText(value: unknown): string {
  const text = JSON.stringify(value);
  if (!text.includes('\\u0000')) return text;
  return JSON.stringify(value, (_key, v: unknown) =>
    typeof v === 'string' ? v.replaceAll('\u0000', '') : v,
  );
}
