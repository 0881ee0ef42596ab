import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyInstance } from 'fastify';
import { builtWebDist } from '../http/web-dist.js';
import {
  KpiSeriesDto,
  type KpiTotals,
  SeriesQuery,
  type Snapshot,
  SnapshotDto,
  SnapshotQuery,
} from './kpi-schemas.js';
import type { KpiService } from './kpi-service.js';
import { gaugesDto, type KpiFilter } from './kpi-view.js';

/** The built front-ends of @tm/web with the dashboard (`pnpm build`), or undefined when they were not built. */
export function webDistDir(): string | undefined {
  return builtWebDist('dashboard');
}

/** GET /api/kpi/v1/snapshot: today, this hour, the current state and the operators, for one filter. */
const snapshotSchema = { querystring: SnapshotQuery, response: { 200: SnapshotDto } };

/** GET /api/kpi/v1/series: the last `count` windows of a size, per measure, for charts. */
const seriesSchema = { querystring: SeriesQuery, response: { 200: KpiSeriesDto } };

interface FilterQuery {
  campaign?: string;
  stream?: string;
}

const filterOf = (q: FilterQuery): KpiFilter => ({
  campaign: q.campaign || undefined,
  stream: q.stream || undefined,
});

/**
 * The KPI stage's web side (Fastify): the JSON API under `/api/kpi/v1/` and the dashboard page of @tm/web (static
 * files, nothing fetched elsewhere) under `/dashboard/`, with `/` redirecting there. Without a built dashboard the
 * API still answers and `/dashboard/` says how to build it.
 */
export function buildKpiHttp(
  kpi: KpiService,
  options: { clock?: () => number; webDir?: string | null } = {},
): FastifyInstance {
  const clock = options.clock ?? Date.now;
  const app = Fastify({ logger: false });
  const webDir = options.webDir === null ? undefined : (options.webDir ?? webDistDir());

  app.get<{ Querystring: FilterQuery }>(
    '/api/kpi/v1/snapshot',
    { schema: snapshotSchema },
    async (request): Promise<Snapshot> => {
      const filter = filterOf(request.query);
      const now = clock();
      const { view } = kpi;
      const hourly = view.operators('hour', now);
      const operators = [...view.operators('day', now)]
        .map(([operatorId, c]) => ({
          operatorId,
          calls: c['calls.started'] ?? 0,
          callsThisHour: hourly.get(operatorId)?.['calls.started'] ?? 0,
          answered: c['calls.ANSWERED'] ?? 0,
          talkSeconds: c.talkSeconds ?? 0,
          averageHandleSeconds: c.wrapups ? Math.round(((c.handleSeconds ?? 0) / c.wrapups) * 10) / 10 : null,
          results: c['results.FIXED'] ?? 0,
          conversions: c.conversions ?? 0,
        }))
        .sort(
          (a, b) => b.calls - a.calls || a.operatorId.localeCompare(b.operatorId, 'en', { numeric: true }),
        );
      const streamTime = kpi.streamTime();
      const today: KpiTotals = view.totals('day', now, filter);
      return {
        generatedAt: new Date(now).toISOString(),
        updatedAt: view.updatedAt === undefined ? null : new Date(view.updatedAt).toISOString(),
        streamTime: streamTime === undefined ? null : new Date(streamTime).toISOString(),
        utcOffsetHours: kpi.config.utcOffsetHours,
        filter: { campaign: filter.campaign ?? null, stream: filter.stream ?? null },
        dimensions: view.dimensions(),
        today,
        thisHour: view.totals('hour', now, filter),
        gauges: gaugesDto(kpi.gauges(), filter, now),
        operators,
        lateRecords: kpi.lateRecords(),
      };
    },
  );

  app.get<{ Querystring: SeriesQuery }>('/api/kpi/v1/series', { schema: seriesSchema }, async (request) => {
    const { size, count: n, measures } = request.query;
    const names = measures
      ?.split(',')
      .map((m) => m.trim())
      .filter((m) => m.length > 0);
    return kpi.view.series(
      size,
      n,
      clock(),
      filterOf(request.query),
      names && names.length > 0 ? names : undefined,
    );
  });

  app.get('/', async (_request, reply) => reply.redirect('/dashboard/'));
  if (webDir) {
    app.register(fastifyStatic, { root: webDir, prefix: '/', index: ['index.html'], redirect: true });
  } else {
    app.get('/dashboard/', async (_request, reply) =>
      reply
        .type('text/plain; charset=utf-8')
        .send(
          'The dashboard is not built: run `pnpm build` (it builds packages/web). The API is at /api/kpi/v1/.',
        ),
    );
  }
  return app;
}
