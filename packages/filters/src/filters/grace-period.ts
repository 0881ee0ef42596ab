import type { PeriodUnit } from '@tm/contracts';
import { z } from 'zod';
import { defineFilter } from '../framework/filter.js';
import { pass, reject } from '../framework/verdict.js';

/**
 * Days in a month when grace periods in different units are compared: 30, the banking 30/360 convention. So
 * "1 month" equals "30 days", a 31-day grace exceeds a 1-month maximum, and two values in months compare exactly
 * as their month counts do.
 */
export const DAYS_PER_MONTH = 30;

/** A grace period in days (months × {@link DAYS_PER_MONTH}). */
export function graceInDays(value: number, unit: PeriodUnit): number {
  return unit === 'month' ? value * DAYS_PER_MONTH : value;
}

const DURATION = /^(\d+)\s*(day|days|month|months)$/i;

/** `"7 days"`, `"1 month"`, or a bare number of days; turned into days. */
const duration = z.union(
  [
    z.number().int().min(0),
    z
      .string()
      .trim()
      .regex(DURATION)
      .transform((text) => {
        const [, count, unit] = DURATION.exec(text) as RegExpExecArray;
        return graceInDays(Number(count), unit?.toLowerCase().startsWith('month') ? 'month' : 'day');
      }),
  ],
  { error: 'a whole number of days, or a number with a unit: "14 days", "2 months"' },
);

/**
 * GRACE_PERIOD — the thesis's "minimum and maximum grace period of the loan" (§2.6.2): the application's grace
 * (4.6 in the unit 4.7) is within `min-grace-period`..`max-grace-period`, inclusive. Bounds are written with a unit
 * (`"7 days"`, `"1 month"`; a bare number means days); everything is compared in days, a month being 30 days.
 */
export const GRACE_PERIOD = defineFilter({
  name: 'GRACE_PERIOD',
  summary:
    'Grace period within `min-grace-period`..`max-grace-period`, inclusive, compared in days (month = 30).',
  whenAbsent:
    'No grace (4.6): rejects, the bounds cannot be checked. A grace with no unit (4.7) rejects too, except 0.',
  settings: z
    .object({ 'min-grace-period': duration.optional(), 'max-grace-period': duration.optional() })
    .superRefine((s, ctx) => {
      const min = s['min-grace-period'];
      const max = s['max-grace-period'];
      if (min === undefined && max === undefined) {
        ctx.addIssue({
          code: 'custom',
          message: 'give min-grace-period, max-grace-period or both',
          path: [],
        });
      }
      if (min !== undefined && max !== undefined && max < min) {
        ctx.addIssue({
          code: 'custom',
          message: 'max-grace-period is below min-grace-period',
          path: ['max-grace-period'],
        });
      }
    })
    .transform((s) => ({ minDays: s['min-grace-period'] ?? 0, maxDays: s['max-grace-period'] ?? Infinity })),
  run(app, settings) {
    if (app.grace === null) return reject('grace absent');
    if (app.graceUnit === null && app.grace !== 0) return reject('grace unit absent');
    const days = graceInDays(app.grace, app.graceUnit ?? 'day');
    if (days < settings.minDays) return reject('grace below minimum', `${days} days < ${settings.minDays}`);
    if (days > settings.maxDays) return reject('grace above maximum', `${days} days > ${settings.maxDays}`);
    return pass();
  },
});
