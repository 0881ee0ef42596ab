import { commaList } from '@tm/contracts';
import { z } from 'zod';
import { defineFilter } from '../framework/filter.js';
import { pass, reject } from '../framework/verdict.js';

const countryCode = z
  .string()
  .regex(/^[A-Za-z]{3}$/, 'a 3-letter country code (ISO 3166-1 alpha-3), like BLR')
  .transform((code) => code.toUpperCase());

/**
 * RESIDENCE — thesis figure 25 `citizenship-unavailable-countries`: the application's citizenship must not be one
 * of the listed countries. Codes compare case-insensitively. A code that is not listed passes, whether or not it
 * is a real country: this is a deny list.
 */
export const RESIDENCE = defineFilter({
  name: 'RESIDENCE',
  summary: 'Citizenship is not one of `citizenship-unavailable-countries`.',
  whenAbsent:
    'No citizenship (2.4 is optional, filled on full identification): passes, unless `citizenship-required: true`.',
  settings: z.object({
    'citizenship-unavailable-countries': commaList.pipe(z.array(countryCode)),
    /** Reject applications without a citizenship. */
    'citizenship-required': z.boolean().default(false),
  }),
  run(app, settings) {
    const citizenship = app.citizenship?.trim().toUpperCase() || null;
    if (citizenship === null) {
      return settings['citizenship-required'] ? reject('citizenship absent') : pass();
    }
    return settings['citizenship-unavailable-countries'].includes(citizenship)
      ? reject(`citizenship ${citizenship} is unavailable`)
      : pass();
  },
});
