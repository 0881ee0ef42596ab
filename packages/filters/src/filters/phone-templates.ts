import { z } from 'zod';
import { defineFilter } from '../framework/filter.js';
import { pass, reject } from '../framework/verdict.js';

/** A template as a regular expression that must match the whole phone: `^(?:template)$`. */
export function wholePhonePattern(template: string): RegExp {
  return new RegExp(`^(?:${template})$`);
}

const template = z
  .string()
  .min(1)
  .superRefine((text, ctx) => {
    try {
      // On its own first: a template like `1)|(2` is no regular expression, though wrapped it would parse.
      new RegExp(text);
      wholePhonePattern(text);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: `not a regular expression: ${(err as Error).message}` });
    }
  });

/**
 * PHONE_TEMPLATES — thesis figure 25 `phone-templates`: the phone matches at least one template. Each template is
 * a JavaScript regular expression anchored at both ends, so `7\d{5}4\d{4}` accepts 79131240000 but not
 * 779131240000 or a phone that merely contains a match.
 */
export const PHONE_TEMPLATES = defineFilter({
  name: 'PHONE_TEMPLATES',
  summary: 'The whole phone matches one of `phone-templates` (regular expressions, anchored at both ends).',
  whenAbsent: 'The phone is required by the CSV contract (2.2), so it is never absent.',
  settings: z
    .object({ 'phone-templates': z.array(template).min(1) })
    .transform((s) => ({ patterns: s['phone-templates'].map(wholePhonePattern) })),
  run(app, settings) {
    return settings.patterns.some((pattern) => pattern.test(app.phone))
      ? pass()
      : reject('phone matches no template');
  },
});
