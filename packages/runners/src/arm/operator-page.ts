import { join, resolve } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { ApiServer } from '../http/api-server.js';
import { builtWebDist } from '../http/web-dist.js';

/**
 * What the ARM serves at `/` (ADR 0117): the operator page built by `pnpm build` (packages/web, entry `operator`),
 * or, when `arm.static-root` names one, a directory of one's own. `dist` is undefined when the page is not built.
 */
export type PageSource =
  | { kind: 'operator-page'; dist: string | undefined }
  | { kind: 'directory'; root: string };

/** The page `arm.static-root` asks for: empty (the default) is the built operator page. */
export function pageSourceOf(staticRoot: string | undefined): PageSource {
  return staticRoot
    ? { kind: 'directory', root: resolve(staticRoot) }
    : { kind: 'operator-page', dist: builtWebDist('operator') };
}

/**
 * Same-origin only: the page loads its scripts, styles and API from the ARM and nothing else, and no other site may
 * frame it (the browser enforces what ADR 0113 promises: nothing fetched elsewhere at run time).
 */
export const PAGE_CSP =
  "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

const NOT_BUILT =
  'The operator page is not built: run `pnpm build` (it builds packages/web). The API is at /api/arm/v1/, ' +
  'its OpenAPI document at /docs.\n';

/**
 * Serves the page at `/` beside the API. The built operator page is `dist/operator/` at `/` and its shared chunks
 * `dist/assets/` at `/assets/` (the page refers to them as `../assets/…`); nothing else of the build (the KPI
 * dashboard) is exposed. A path the page does not have gets the API's 404.
 */
export async function servePage(app: ApiServer, source: PageSource): Promise<void> {
  await app.register(async (scope) => {
    scope.addHook('onSend', async (_request, reply, payload) => {
      reply.header('content-security-policy', PAGE_CSP);
      return payload;
    });
    if (source.kind === 'directory') {
      await scope.register(fastifyStatic, { root: source.root, prefix: '/' });
      return;
    }
    if (source.dist === undefined) {
      scope.get('/', async (_request, reply) =>
        reply.status(404).type('text/plain; charset=utf-8').send(NOT_BUILT),
      );
      return;
    }
    await scope.register(fastifyStatic, { root: join(source.dist, 'operator'), prefix: '/' });
    await scope.register(fastifyStatic, {
      root: join(source.dist, 'assets'),
      prefix: '/assets/',
      decorateReply: false,
    });
  });
}
