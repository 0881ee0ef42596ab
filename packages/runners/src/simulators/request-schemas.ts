/** JSON-schema pieces shared by the simulators' request bodies. */

/** A string of at most `max` characters, or null. */
export const nullableString = (max: number) => ({
  anyOf: [{ type: 'string', maxLength: max }, { type: 'null' }],
});

/** The client's phone as the services receive it. */
export const phoneSchema = { type: 'string', minLength: 1, maxLength: 32 } as const;

/** `{ series, number }` of an identity document, either may be null; or null altogether. */
export const passportSchema = {
  anyOf: [
    {
      type: 'object',
      properties: { series: nullableString(32), number: nullableString(32) },
      additionalProperties: false,
    },
    { type: 'null' },
  ],
} as const;

/** The passport as a request body carries it. */
export type PassportBody = { series?: string | null; number?: string | null } | null;
