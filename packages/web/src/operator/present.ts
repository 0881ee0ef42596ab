/**
 * How the operator page writes what the ARM sends (thesis figs 47–50): types, amounts, terms, names, ages and call
 * results in Russian. Pure functions; the ARM has already masked phones and formatted times in Moscow.
 */
import type { ClientCard, CommunicationResult, Dictionaries, Dictionary, Product } from './arm-api.js';

/** The rework list's Тип (fig. 48: Заявка / Займ). */
export function typeLabel(type: 'APPLICATION' | 'LOAN' | 'OFFER' | undefined): string {
  switch (type) {
    case 'APPLICATION':
      return 'Заявка';
    case 'LOAN':
      return 'Займ';
    case 'OFFER':
      return 'Предложение';
    default:
      return '—';
  }
}

const roubles = new Intl.NumberFormat('ru-RU', {
  style: 'currency',
  currency: 'RUB',
  maximumFractionDigits: 0,
});

/** An amount the ARM gives in kopecks, in whole roubles: `10 000 ₽`. */
export function amountLabel(kopecks: number | undefined): string {
  return kopecks === undefined ? '—' : roubles.format(Math.round(kopecks / 100));
}

/** A product's amount: the approved one when there is one, else the requested one. */
export function productAmount(product: Product): string {
  return amountLabel(product.approvedAmount || product.requestedAmount);
}

/** A term or grace with its unit: `21 дн.`; `—` for none. */
export function termLabel(value: number, unit: Dictionary | undefined): string {
  if (value === 0 && unit === undefined) return '—';
  return unit ? `${value} ${unit.dictionaryValue}` : String(value);
}

/** A dictionary item as its label, `—` when absent. */
export function dictLabel(item: Dictionary | undefined): string {
  return item?.dictionaryValue ?? '—';
}

const plural = new Intl.PluralRules('ru-RU');
const YEARS: Record<string, string> = { one: 'год', few: 'года', many: 'лет', other: 'лет' };

/** `27 лет`, `21 год`, `23 года`. */
export function ageLabel(age: number): string {
  return `${age} ${YEARS[plural.select(age)] ?? 'лет'}`;
}

/** Last name, first name, middle name, as the card's heading shows them (fig. 49). */
export function fullName(name: ClientCard['clientInfo']['fullNameRu']): string {
  if (!name) return '';
  return [name.lastName, name.name, name.middleName].filter((part) => part && part.length > 0).join(' ');
}

/** The label of a stored key (a result or reason code) in a dictionary; the key itself when the list lacks it. */
export function labelOf(items: readonly Dictionary[], key: string | undefined): string | undefined {
  if (!key) return undefined;
  return items.find((item) => item.dictionaryKey === key)?.dictionaryValue ?? key;
}

/** The history's «Результат разговора» (fig. 49): `Причина: …; Результат: …`, or `Не сохранен`. */
export function resultSummary(result: CommunicationResult | undefined, dictionaries: Dictionaries): string {
  const reason = labelOf(dictionaries.reasons, result?.reason);
  const outcome = labelOf(dictionaries.results, result?.result);
  const parts = [reason && `Причина: ${reason}`, outcome && `Результат: ${outcome}`].filter(Boolean);
  return parts.length > 0 ? parts.join('; ') : 'Не сохранен';
}

/** Seconds as `0:59`. */
export function clockLabel(seconds: number): string {
  const s = Math.max(0, Math.ceil(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}
