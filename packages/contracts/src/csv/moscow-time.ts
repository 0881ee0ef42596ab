/**
 * Dates and times of Appendix A: `DD.MM.YYYY` and `hh:mm:ss`, Moscow time. Moscow keeps UTC+3 all year (since
 * 26 October 2014; DESIGN.md §4 fixes the offset at +3 for every date). Hand-rolled on purpose: these run on every
 * row, and Date.UTC arithmetic over char codes is an order of magnitude faster than a date library's parser.
 */

/** Milliseconds in a day. */
export const MS_PER_DAY = 86_400_000;
/** Moscow's offset from UTC: +3 hours. */
export const MOSCOW_OFFSET_MS = 3 * 3_600_000;
/** 400 Gregorian years have exactly this many days; used to keep Date.UTC away from its two-digit-year rule. */
const DAYS_PER_400_YEARS = 146_097;

const ZERO = 48;
const NINE = 57;

/** The value of the digit at `i`, or -100000 when it is not an ASCII digit (so any sum of up to four weighted digits goes negative). */
function digit(s: string, i: number): number {
  const c = s.charCodeAt(i);
  return c >= ZERO && c <= NINE ? c - ZERO : -100_000;
}

/** Whether `s` is one or more ASCII digits. */
export function isDigits(s: string): boolean {
  const n = s.length;
  if (n === 0) return false;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < ZERO || c > NINE) return false;
  }
  return true;
}

/**
 * Days since 1970-01-01 of a `DD.MM.YYYY` date that exists on the (proleptic Gregorian) calendar, or NaN:
 * `31.02.2023` and `29.02.2023` are NaN, `29.02.2024` is a date.
 */
export function parseDate(s: string): number {
  if (s.length !== 10 || s.charCodeAt(2) !== 46 || s.charCodeAt(5) !== 46) return Number.NaN;
  const day = digit(s, 0) * 10 + digit(s, 1);
  const month = digit(s, 3) * 10 + digit(s, 4);
  const year = digit(s, 6) * 1000 + digit(s, 7) * 100 + digit(s, 8) * 10 + digit(s, 9);
  if (day < 1 || month < 1 || month > 12 || year < 0) return Number.NaN;
  if (day > daysInMonth(year, month)) return Number.NaN;
  // Date.UTC reads years 0-99 as 1900-1999; shift by 400 years (a whole number of days) to stay exact.
  if (year < 100) return Date.UTC(year + 400, month - 1, day) / MS_PER_DAY - DAYS_PER_400_YEARS;
  return Date.UTC(year, month - 1, day) / MS_PER_DAY;
}

/** Days in `month` (1-12) of `year`, Gregorian leap years included. */
export function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Seconds since midnight of an `hh:mm:ss` time from 00:00:00 to 23:59:59, or -1 (`24:00:00`, `9:00:00`). */
export function parseTime(s: string): number {
  if (s.length !== 8 || s.charCodeAt(2) !== 58 || s.charCodeAt(5) !== 58) return -1;
  const h = digit(s, 0) * 10 + digit(s, 1);
  const m = digit(s, 3) * 10 + digit(s, 4);
  const sec = digit(s, 6) * 10 + digit(s, 7);
  if (h < 0 || h > 23 || m < 0 || m > 59 || sec < 0 || sec > 59) return -1;
  return h * 3600 + m * 60 + sec;
}

/** UTC epoch milliseconds of a Moscow date (days since epoch) and time (seconds since midnight). */
export function moscowToEpochMillis(days: number, seconds: number): number {
  return days * MS_PER_DAY + seconds * 1000 - MOSCOW_OFFSET_MS;
}

/** Days since epoch of the Moscow calendar date at UTC epoch milliseconds `at`. */
export function moscowDay(at: number): number {
  return Math.floor((at + MOSCOW_OFFSET_MS) / MS_PER_DAY);
}
