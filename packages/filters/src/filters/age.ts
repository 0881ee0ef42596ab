import { z } from 'zod';
import { defineFilter } from '../framework/filter.js';
import { pass, reject } from '../framework/verdict.js';

const MS_PER_DAY = 86_400_000;
/** Moscow time is UTC+3 all year (since 2014); Application.createdAt was converted from it at the same offset. */
const MOSCOW_OFFSET_MS = 3 * 3_600_000;

function daysInMonth(year: number, month0: number): number {
  return new Date(Date.UTC(year, month0 + 1, 0)).getUTCDate();
}

/**
 * Full years of age on the Moscow calendar day of `atMs`, for a birth date given as days since 1970-01-01.
 *
 * A birthday counts from its start: on the day of the birthday the new age has been reached. Someone born on
 * 29 February reaches each age on 28 February in a non-leap year (the last day of the month, as the Russian Civil
 * Code, art. 192, reckons a term that ends on a date the month lacks).
 */
export function ageOn(birthDate: number, atMs: number): number {
  const at = new Date(atMs + MOSCOW_OFFSET_MS);
  const birth = new Date(birthDate * MS_PER_DAY);
  const year = at.getUTCFullYear();
  const month = at.getUTCMonth();
  const birthMonth = birth.getUTCMonth();
  const birthdayThisYear = Math.min(birth.getUTCDate(), daysInMonth(year, birthMonth));
  const beforeBirthday = month < birthMonth || (month === birthMonth && at.getUTCDate() < birthdayThisYear);
  return year - birth.getUTCFullYear() - (beforeBirthday ? 1 : 0);
}

const years = z.number().int().min(0).max(150);

/**
 * AGE — thesis figure 25 `min-age` (and our optional `max-age`): the client's age in full years on the Moscow
 * calendar day the application was created is at least `min-age` and, when given, at most `max-age` (both
 * inclusive: `max-age: 65` accepts a 65-year-old and rejects on the 66th birthday).
 */
export const AGE = defineFilter({
  name: 'AGE',
  summary: 'Age at the application’s creation (Moscow time) is within `min-age`..`max-age`, inclusive.',
  whenAbsent: 'No birth date (2.10 is optional): rejects, since the minimum age cannot be confirmed.',
  settings: z
    .object({ 'min-age': years, 'max-age': years.optional() })
    .refine((s) => s['max-age'] === undefined || s['max-age'] >= s['min-age'], {
      message: 'max-age is below min-age',
      path: ['max-age'],
    }),
  run(app, settings) {
    if (app.birthDate === null) return reject('birth date absent');
    const age = ageOn(app.birthDate, app.createdAt);
    if (age < settings['min-age']) return reject(`younger than ${settings['min-age']}`, `age ${age}`);
    const max = settings['max-age'];
    if (max !== undefined && age > max) return reject(`older than ${max}`, `age ${age}`);
    return pass();
  },
});
