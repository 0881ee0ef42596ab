const MOSCOW_OFFSET_MS = 3 * 3_600_000;
const MS_PER_DAY = 86_400_000;

const two = (n: number) => String(n).padStart(2, '0');

/** `dd.MM.yyyy` of a Moscow calendar day (UTC+3 all year, as the CSV contract). */
function day(d: Date): string {
  return `${two(d.getUTCDate())}.${two(d.getUTCMonth() + 1)}.${d.getUTCFullYear()}`;
}

/** `dd.MM.yyyy HH:mm` in Moscow time, as the ARM's DTOs and screens show times ("Дата (МСК)"). */
export function moscowDateTime(at: Date | number): string {
  const d = new Date((typeof at === 'number' ? at : at.getTime()) + MOSCOW_OFFSET_MS);
  return `${day(d)} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}`;
}

/** `dd.MM.yyyy` of a date given as days since 1970-01-01 (Application.birthDate). */
export function calendarDate(daysSinceEpoch: number): string {
  return day(new Date(daysSinceEpoch * MS_PER_DAY));
}
