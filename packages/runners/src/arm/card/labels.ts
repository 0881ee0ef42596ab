import { createRequire } from 'node:module';
import countries from 'i18n-iso-countries';

/** Dictionary labels of the card (thesis fig. 49), Russian as the operators read them. */
export const STATUS_LABELS: Readonly<Record<string, string>> = {
  created: 'Создана',
  registered: 'Зарегистрирована',
  scored: 'Оценена',
  canceled: 'Отменена',
  transferred: 'Перечислен',
  received: 'Получен',
  repaid: 'Погашен',
  offered: 'Предложение',
};

export const UNIT_LABELS: Readonly<Record<string, string>> = { day: 'дн.', month: 'мес.' };

let registered = false;

/**
 * The Russian name of a country given by its ISO 3166-1 alpha-3 code (the CSV's `KGZ` → `Киргизия`), as
 * ClientInfoDto.citizenship wants (ADR 0093); the code itself when the code is unknown.
 */
export function countryName(alpha3: string): string {
  if (!registered) {
    // The locale file is JSON inside the package; require keeps it out of the ESM import graph.
    const require = createRequire(import.meta.url);
    countries.registerLocale(require('i18n-iso-countries/langs/ru.json'));
    registered = true;
  }
  return countries.getName(alpha3.toUpperCase(), 'ru') ?? alpha3;
}
