import type { Command } from 'commander';
import { pino } from 'pino';
import { buildArmApi } from '../arm/arm.js';
import type { ArmRouteDeps } from '../arm/arm-routes.js';
import { buildSecurityApi } from '../security/security.js';
import type { SecurityService } from '../security/security-service.js';
import { UsageError } from '../usage-errors.js';

/** The services `tm openapi` documents. */
export const OPENAPI_SERVICES = ['security', 'arm'] as const;
export type OpenApiService = (typeof OPENAPI_SERVICES)[number];

/**
 * The OpenAPI 3 document of a service, generated from its route schemas exactly as the running service serves it
 * at /docs/json. The routes are built over dependencies that are never called, so no database or broker is needed.
 */
export async function openApiDocument(service: OpenApiService): Promise<Record<string, unknown>> {
  const logger = pino({ level: 'silent' });
  const unused = new Proxy(
    {},
    {
      get: () => {
        throw new Error('tm openapi builds routes only');
      },
    },
  );
  const app =
    service === 'security'
      ? await buildSecurityApi(unused as SecurityService, { bodyLimit: 16_384, trustProxy: [], logger })
      : await buildArmApi(
          // Only the routes' schemas are read; a handler would throw.
          { ...(unused as ArmRouteDeps), logger, dictionaries: { results: [], reasons: [] } } as ArmRouteDeps,
          { bodyLimit: 16_384 },
        );
  await app.ready();
  const document = app.swagger() as unknown as Record<string, unknown>;
  await app.close();
  return document;
}

/** `tm openapi [--service security|arm]`: prints the OpenAPI document(s) as JSON. */
export function register(program: Command): void {
  program
    .command('openapi')
    .description(
      'Print the OpenAPI 3 document of the security service and the ARM (JSON), as served at /docs/json.',
    )
    .option('--service <name>', `one service only: ${OPENAPI_SERVICES.join(' or ')}`)
    .action(async (options: { service?: string }) => {
      if (options.service !== undefined && !OPENAPI_SERVICES.includes(options.service as OpenApiService)) {
        throw new UsageError(`unknown service ${options.service}; one of ${OPENAPI_SERVICES.join(', ')}`);
      }
      const services = options.service ? [options.service as OpenApiService] : OPENAPI_SERVICES;
      const documents = Object.fromEntries(
        await Promise.all(services.map(async (s) => [s, await openApiDocument(s)] as const)),
      );
      console.log(JSON.stringify(options.service ? documents[options.service] : documents, null, 2));
    });
}
