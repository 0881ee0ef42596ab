/**
 * How a data engineer adds a filter of their own: define it, register it, and list its name in `filters-order`.
 *
 * Two examples: a synchronous filter on the application's own fields, and an asynchronous one that uses Casper's
 * profile (asked once per application and shared with every other filter and campaign that wants it).
 */
import { createFilterRegistry, defineFilter, type FilterRegistry, pass, reject } from '@tm/filters';
import { z } from 'zod';

/** REQUESTED_AMOUNT: the requested amount (4.1) is within `min-requested-amount`..`max-requested-amount`. */
export const REQUESTED_AMOUNT = defineFilter({
  name: 'REQUESTED_AMOUNT',
  summary:
    'The requested amount is within `min-requested-amount`..`max-requested-amount` roubles, inclusive.',
  whenAbsent: 'No requested amount (4.1 is optional): passes; the operator will ask.',
  settings: z
    .object({
      'min-requested-amount': z.number().int().min(0).default(0),
      'max-requested-amount': z.number().int().positive(),
    })
    .refine((s) => s['min-requested-amount'] <= s['max-requested-amount'], {
      message: 'min-requested-amount is above max-requested-amount',
      path: ['min-requested-amount'],
    }),
  run(app, settings) {
    const amount = app.requestedAmount;
    if (amount === null) return pass();
    if (amount < settings['min-requested-amount']) return reject('requested amount below minimum');
    if (amount > settings['max-requested-amount']) return reject('requested amount above maximum');
    return pass();
  },
});

/** CALLABLE_TIME_ZONE: Casper places the client in one of `callable-time-zones` (IANA names). */
export const CALLABLE_TIME_ZONE = defineFilter({
  name: 'CALLABLE_TIME_ZONE',
  summary: 'The client’s time zone (from Casper) is one of `callable-time-zones`.',
  whenAbsent: 'Casper does not know the client or their time zone: rejects, the calling hours are unknown.',
  settings: z.object({ 'callable-time-zones': z.array(z.string().min(1)).min(1) }),
  services: ['casper'],
  async run(_app, settings, { lookups }) {
    const profile = await lookups.casper();
    const zone = profile?.timeZone ?? null;
    if (zone === null) return reject('time zone unknown');
    return settings['callable-time-zones'].includes(zone)
      ? pass()
      : reject(`time zone ${zone} is not callable`);
  },
});

/** The built-in filters plus ours: what the analyser compiles the campaigns against. */
export function exampleRegistry(): FilterRegistry {
  return createFilterRegistry([REQUESTED_AMOUNT, CALLABLE_TIME_ZONE]);
}
