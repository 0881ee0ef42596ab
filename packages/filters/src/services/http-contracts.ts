import { z } from 'zod';

/**
 * The HTTP contracts of the three services, written once: each endpoint's path and the zod schemas of its request
 * and response bodies (wire shape, snake_case). The clients of this package use them; the simulators of the runners
 * take their paths and derive their request validation from them ({@link requestJsonSchema}).
 */
export interface HttpContract<Req extends z.ZodType, Res extends z.ZodType> {
  readonly path: string;
  readonly request: Req;
  readonly response: Res;
}

/** A string of at most `max` characters, or null. */
const nullableString = (max: number) => z.string().max(max).nullable();

/** The client's phone as the services receive it. */
const phone = z.string().min(1).max(32);

/** `{ series, number }` of an identity document, either may be null; or null altogether. */
const passport = z
  .strictObject({ series: nullableString(32).optional(), number: nullableString(32).optional() })
  .nullable();

const blacklistTerm = z.union([
  z.strictObject({ phone: z.string().max(32) }),
  z.strictObject({ device_id: z.string().max(256) }),
]);

const blacklistRecord = z.looseObject({
  id: z.union([z.string(), z.number()]),
  phone: z.string().nullish(),
  device_id: z.string().nullish(),
  reason: z.string().nullish(),
});

/** BlackList's search (thesis figures 14, 15): the `$or` query; a bare `{phone}` or `{device_id}` query works too. */
export const BLACKLIST_SEARCH = {
  path: '/api/v2/records/search',
  request: z.strictObject({
    query: z
      .strictObject({
        $or: z.array(blacklistTerm).max(20_000).optional(),
        phone: z.string().max(32).optional(),
        device_id: z.string().max(256).optional(),
      })
      .refine((q) => Object.keys(q).length > 0, 'empty query')
      .meta({ minProperties: 1 }),
  }),
  /** `{ "records": [...] }`; a bare array of records is accepted too. */
  response: z.union([z.array(blacklistRecord), z.object({ records: z.array(blacklistRecord) })]),
} as const;

const casperClient = z.looseObject({
  client_id: z.string().nullish(),
  time_zone: z.string().nullish(),
  region: z.string().nullish(),
  segment: z.string().nullish(),
  active_loans: z.number().int().min(0).nullish(),
  last_activity_at: z.iso.datetime({ offset: true }).nullish(),
});

/** Casper's client search (our design; packages/filters/README.md). */
export const CASPER_SEARCH = {
  path: '/api/casper/v1/clients/search',
  request: z.strictObject({
    phone,
    device_id: nullableString(256).optional(),
    passport: passport.optional(),
  }),
  response: z.object({ client: casperClient.nullable() }),
} as const;

const abramCheck = z.object({
  status: z.enum(['PASSED', 'FAILED', 'ERROR', 'NOT_CHECKED']),
  reason: z.string().nullish(),
});

const amount = z.number().int().min(0);

/** Abram's assessment (our design; packages/filters/README.md). */
export const ABRAM_ASSESS = {
  path: '/api/abram/v1/assessments',
  request: z.strictObject({
    application_number: z.string().min(1).max(64),
    client_type: z.enum(['pioneer', 'repeater']),
    phone,
    device_id: nullableString(256).optional(),
    face_id: nullableString(256).optional(),
    passport: passport.optional(),
    birth_date: nullableString(10).optional(),
    requested_amount: amount.nullable().optional(),
    product_type: nullableString(64).optional(),
  }),
  response: z.object({
    checks: z.object({ device: abramCheck, phone: abramCheck, face: abramCheck, document: abramCheck }),
    products: z.array(
      z.object({
        product_type: z.string().min(1),
        min_amount: amount,
        max_amount: amount,
        interest_rate: amount,
        term: amount,
        term_unit: z.enum(['day', 'month']),
      }),
    ),
  }),
} as const;

export type BlacklistSearchBody = z.output<typeof BLACKLIST_SEARCH.request>;
export type CasperSearchBody = z.output<typeof CASPER_SEARCH.request>;
export type AbramAssessBody = z.output<typeof ABRAM_ASSESS.request>;

/** A contract's request body as JSON Schema (draft-07, as Fastify's Ajv reads it), for a server to validate with. */
export function requestJsonSchema(contract: { readonly request: z.ZodType }): Record<string, unknown> {
  const { $schema: _, ...schema } = z.toJSONSchema(contract.request, { target: 'draft-7' });
  return schema;
}
