import Fastify, { type FastifyInstance } from 'fastify';

/**
 * A Fastify instance as every simulator uses it: no request logging, and strict validation — unknown properties
 * and wrongly typed values are refused with 400 rather than silently dropped or coerced (Fastify's defaults), so a
 * client sending the wrong shape finds out in tests.
 */
export function createSimulatorServer(options: { bodyLimit?: number } = {}): FastifyInstance {
  return Fastify({
    logger: false,
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, useDefaults: false } },
  });
}
