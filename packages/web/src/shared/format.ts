/** Numbers and times as the pages show them: Russian grouping, Moscow time. */

const integer = new Intl.NumberFormat('ru-RU', { maximumFractionDigits: 0 });
const percent = new Intl.NumberFormat('ru-RU', { style: 'percent', maximumFractionDigits: 1 });
const moscowTime = new Intl.DateTimeFormat('ru-RU', {
  timeZone: 'Europe/Moscow',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});

export const MOSCOW = 'Europe/Moscow';

export function formatInteger(n: number | null | undefined): string {
  return n === null || n === undefined ? '—' : integer.format(n);
}

export function formatPercent(ratio: number | null | undefined): string {
  return ratio === null || ratio === undefined ? '—' : percent.format(ratio);
}

/** Seconds as `m:ss` (or `h:mm:ss`). */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return '—';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${rest}` : `${m}:${rest}`;
}

/** `HH:MM:SS` in Moscow time. */
export function formatMoscowTime(iso: string | number): string {
  return moscowTime.format(new Date(iso));
}

const moscowHourMinute = new Intl.DateTimeFormat('ru-RU', {
  timeZone: MOSCOW,
  hour: '2-digit',
  minute: '2-digit',
});
const moscowDay = new Intl.DateTimeFormat('ru-RU', { timeZone: MOSCOW, day: '2-digit', month: '2-digit' });

/** A chart's time tick in Moscow time: `HH:MM`, with `DD.MM` above at Moscow midnight or when `withDate`. */
export function formatMoscowTick(epochMs: number, withDate: boolean): string {
  const time = moscowHourMinute.format(epochMs);
  return withDate || time === '00:00' ? `${moscowDay.format(epochMs)}\n${time}` : time;
}
