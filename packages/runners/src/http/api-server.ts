import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { TSchema } from '@sinclair/typebox';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  LogController,
} from 'fastify';
import type { Logger } from 'pino';
import { isUnavailable } from './unavailable.js';

/** A Fastify instance typed by the TypeBox provider: route schemas are the DTOs' single source. */
export type ApiServer = FastifyInstance<
  Server,
  IncomingMessage,
  ServerResponse,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

/** The error codes every API answers with besides its own (HTTP status in parentheses). */
export type TransportErrorCode =
  | 'BAD_REQUEST' // 400: not JSON, fails the schema, unknown fields
  | 'PAYLOAD_TOO_LARGE' // 413
  | 'UNSUPPORTED_MEDIA_TYPE' // 415
  | 'NOT_FOUND' // 404
  | 'SERVICE_UNAVAILABLE' // 503: a database, Redis, the broker or the security service cannot be reached
  | 'INTERNAL_ERROR'; // 500: a bug; the message is not shown

/** Options of {@link createApiServer}. */
export interface ApiServerOptions {
  /** OpenAPI `info`. */
  title: string;
  version: string;
  description: string;
  /** Largest JSON body, bytes (413 above it). */
  bodyLimit: number;
  /** Proxies whose X-Forwarded-For is believed (addresses or CIDR ranges); none by default. */
  trustProxy?: readonly string[];
  logger: Logger;
  /** The API's envelope for an error: `{result:{code,description}}` (security) or `{status, data}` (ARM). */
  errorBody: (code: TransportErrorCode, description: string) => unknown;
  /** Shared DTO schemas, each with an `$id`: added to the instance and named so in the OpenAPI document. */
  schemas: readonly TSchema[];
  /** The OpenAPI security scheme for bearer tokens, when the API has locked endpoints. */
  bearer?: boolean;
}

const STATUS_OF: Record<TransportErrorCode, number> = {
  BAD_REQUEST: 400,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  NOT_FOUND: 404,
  SERVICE_UNAVAILABLE: 503,
  INTERNAL_ERROR: 500,
};

/** The code for an error Fastify raised before the handler ran, or that the handler threw. */
function codeOf(error: FastifyError): { code: TransportErrorCode; description: string } {
  if (error.validation) {
    return { code: 'BAD_REQUEST', description: error.message };
  }
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { code: 'PAYLOAD_TOO_LARGE', description: 'the request body is larger than allowed' };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { code: 'UNSUPPORTED_MEDIA_TYPE', description: 'send application/json' };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { code: 'BAD_REQUEST', description: 'the JSON body is empty' };
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return { code: 'BAD_REQUEST', description: 'the body is not valid JSON' };
    default:
      break;
  }
  if (error instanceof SyntaxError || error.statusCode === 400) {
    return { code: 'BAD_REQUEST', description: 'the body is not valid JSON' };
  }
  if (isUnavailable(error)) {
    return {
      code: 'SERVICE_UNAVAILABLE',
      description: 'a service the API needs is unavailable; retry later',
    };
  }
  return { code: 'INTERNAL_ERROR', description: 'internal error' };
}

/**
 * A Fastify instance as the security service and the ARM use it (the shape of fastify/demo):
 *
 * - strict input: route schemas validate bodies with unknown properties refused, no type coercion, no defaults;
 * - one error handler: 400 / 413 / 415 with a message that says what is wrong, 503 while a dependency is down,
 *   500 with no detail for anything else (logged, never sent); no stack trace ever leaves the process;
 * - a 404 in the API's envelope; `X-Content-Type-Options: nosniff` and `Cache-Control: no-store` on every answer;
 * - no CORS headers (browsers refuse cross-origin reads);
 * - shared schemas added under their `$id`, and the OpenAPI 3 document generated from the route schemas, named by
 *   those ids (fastify/fastify-swagger#364), served at `/docs` (UI), `/docs/json` and `/docs/yaml`.
 *
 * Request logging is off (a thousand operators poll every second), and requests get no child logger of their own;
 * errors are logged by the handler, with the request id, route and code only.
 */
export async function createApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const trustProxy = options.trustProxy && options.trustProxy.length > 0 ? [...options.trustProxy] : false;
  const app = Fastify({
    // pino's Logger is a FastifyBaseLogger; the cast keeps the instance's logger type Fastify's own.
    loggerInstance: options.logger as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: options.bodyLimit,
    trustProxy,
    return503OnClosing: true,
    ajv: {
      customOptions: { removeAdditional: false, coerceTypes: false, useDefaults: false, allErrors: false },
    },
  }).withTypeProvider<TypeBoxTypeProvider>();

  for (const schema of options.schemas) app.addSchema(schema);

  // No pino child per request: with the runners' redaction paths a child costs a redaction pass over its bindings,
  // about 15 µs of every hasChanges poll (ADR 0166). Requests log nothing but failures, which carry the request id.
  app.setChildLoggerFactory((logger) => logger);

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const { code, description } = codeOf(error);
    const status = STATUS_OF[code];
    if (status >= 500) {
      request.log.error(
        { reqId: request.id, route: request.routeOptions.url, code, error: error.message },
        'request failed',
      );
    }
    return reply.status(status).send(options.errorBody(code, description));
  });
  app.setNotFoundHandler((_request, reply) =>
    reply.status(404).send(options.errorBody('NOT_FOUND', 'no such endpoint')),
  );
  // Callback style: an async hook costs a promise and a microtask turn on every answer.
  app.addHook('onSend', (_request, reply, payload, done) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('cache-control', 'no-store');
    done(null, payload);
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: options.title, version: options.version, description: options.description },
      ...(options.bearer
        ? { components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } } }
        : {}),
    },
    hideUntagged: true,
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, i) =>
        typeof json.$id === 'string' ? json.$id : `def-${i}`,
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  return app;
}

/** Status of an error code, for handlers that answer with one directly. */
export function statusOf(code: TransportErrorCode): number {
  return STATUS_OF[code];
}
