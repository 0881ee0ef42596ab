import { type Static, Type } from '@sinclair/typebox';

/**
 * The KPI API's DTOs (`tm run kpi`, /api/kpi/v1) as TypeBox schemas: Fastify validates the queries and serialises the
 * answers with them, the stage builds its answers as their static types, and the dashboard (packages/web) imports the
 * types only, as the operator page does with the ARM's (ADR 0115). One definition, checked by `pnpm typecheck` on both
 * sides.
 */

/** The window sizes of the KPIs. */
export const WINDOW_SIZES = ['minute', 'hour', 'day'] as const;
export type WindowSize = (typeof WINDOW_SIZES)[number];

const count = Type.Integer({ minimum: 0 });
const rate = (description: string) => Type.Union([Type.Number(), Type.Null()], { description });
const campaignQuery = Type.Optional(Type.String({ maxLength: 32 }));
const streamQuery = Type.Optional(Type.String({ maxLength: 64 }));
const isoTimeOrNull = Type.Union([Type.String(), Type.Null()]);

/** A window's counters with the rates a manager reads (null where the denominator is zero). */
export const KpiTotalsDto = Type.Object({
  start: Type.String(),
  end: Type.String(),
  counters: Type.Record(Type.String(), Type.Number()),
  answerRate: rate('Answered calls / calls ended'),
  averageTalkSeconds: rate('Talk seconds / answered calls'),
  averageHandleSeconds: rate(
    "(Talk + wrap-up from the call's end to the first save) / answered calls with a save",
  ),
  savedInTimeShare: rate("First saves that were FIXED within the ARM's limit / answered calls with a save"),
  conversionRate: rate('FIXED results counted as conversions / answered calls'),
  repeatContactShare: rate('Calls to a client already called that day / calls started'),
});
export type KpiTotals = Static<typeof KpiTotalsDto>;

/** Current state as the API shows it. */
export const GaugesDto = Type.Object({
  tasks: Type.Object({ waiting: count, queued: count, calling: count }),
  draftsWaiting: count,
  oldestDraftAgeSeconds: Type.Union([Type.Integer(), Type.Null()]),
  operators: Type.Object({ loggedIn: count, ready: count, onBreak: count }),
});
export type Gauges = Static<typeof GaugesDto>;

/** One operator's day (and the calls of the current hour). */
export const OperatorRowDto = Type.Object({
  operatorId: Type.String(),
  calls: count,
  callsThisHour: count,
  answered: count,
  talkSeconds: Type.Number(),
  averageHandleSeconds: rate('(Talk + wrap-up) / answered calls with a save'),
  results: count,
  conversions: count,
});
export type OperatorRow = Static<typeof OperatorRowDto>;

/** GET /api/kpi/v1/snapshot's answer: today, this hour, the current state and the operators, for one filter. */
export const SnapshotDto = Type.Object({
  generatedAt: Type.String(),
  updatedAt: isoTimeOrNull,
  streamTime: isoTimeOrNull,
  utcOffsetHours: Type.Integer(),
  filter: Type.Object({
    campaign: Type.Union([Type.String(), Type.Null()]),
    stream: Type.Union([Type.String(), Type.Null()]),
  }),
  dimensions: Type.Object({ campaigns: Type.Array(Type.String()), streams: Type.Array(Type.String()) }),
  today: KpiTotalsDto,
  thisHour: KpiTotalsDto,
  gauges: GaugesDto,
  operators: Type.Array(OperatorRowDto),
  lateRecords: Type.Object({ minute: count, hour: count, day: count }),
});
export type Snapshot = Static<typeof SnapshotDto>;

/** GET /api/kpi/v1/series's answer: window starts (epoch ms, ascending) and one array per measure, 0 where nothing happened. */
export const KpiSeriesDto = Type.Object({
  size: Type.Union(WINDOW_SIZES.map((s) => Type.Literal(s))),
  starts: Type.Array(Type.Number()),
  values: Type.Record(Type.String(), Type.Array(Type.Number())),
});
export type KpiSeries = Static<typeof KpiSeriesDto>;

export const SnapshotQuery = Type.Object(
  { campaign: campaignQuery, stream: streamQuery },
  { additionalProperties: false },
);

export const SeriesQuery = Type.Object(
  {
    size: Type.Union(WINDOW_SIZES.map((s) => Type.Literal(s))),
    count: Type.Integer({ minimum: 1, maximum: 1_440, default: 60 }),
    campaign: campaignQuery,
    stream: streamQuery,
    measures: Type.Optional(
      Type.String({ maxLength: 2_000, description: 'Comma-separated measures; all when absent' }),
    ),
  },
  { additionalProperties: false },
);
export type SeriesQuery = Static<typeof SeriesQuery>;
