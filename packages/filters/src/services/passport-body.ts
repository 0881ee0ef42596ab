/** The `passport` of a Casper or Abram request body: null when neither part is known. */
export function passportBody(
  series: string | null,
  number: string | null,
): { series: string | null; number: string | null } | null {
  return series === null && number === null ? null : { series, number };
}
