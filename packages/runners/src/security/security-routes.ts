import { Type } from '@sinclair/typebox';
import type { ApiServer } from '../http/api-server.js';
import {
  CheckAccessRequestDto,
  CheckAccessResponseDto,
  LoginRequestDto,
  LoginResponseDto,
  LogoutRequestDto,
  LogoutResponseDto,
} from './schemas.js';
import type { SecurityService } from './security-service.js';

/** Every `result.code` of the security API, with the description it is sent with (ADR 0090). */
export const SECURITY_CODES = {
  OK: 'OK',
  /** Thesis fig. 33: an unknown or deleted token, or a logout of one. */
  ACCESS_DENIED: 'Доступ запрещен (access denied)',
  INVALID_CREDENTIALS: 'wrong login or password',
  OPERATOR_LOCKED: 'the operator is locked',
  TOKEN_EXPIRED: 'the token has expired; log in again',
  TOO_MANY_ATTEMPTS: 'too many login attempts; try again later',
  BAD_REQUEST: 'bad request',
  PAYLOAD_TOO_LARGE: 'the request body is larger than allowed',
  UNSUPPORTED_MEDIA_TYPE: 'send application/json',
  NOT_FOUND: 'no such endpoint',
  SERVICE_UNAVAILABLE: 'the service is unavailable; retry later',
  INTERNAL_ERROR: 'internal error',
} as const;

export type SecurityCode = keyof typeof SECURITY_CODES;

/** `{result: {code, description}}`, the envelope of Appendices Б–Г. */
export function securityResult(code: SecurityCode, description: string = SECURITY_CODES[code]) {
  return { result: { code, description } };
}

const error = Type.Ref(LogoutResponseDto);
const ERRORS = { 400: error, 413: error, 415: error, 500: error, 503: error };

/**
 * POST /api/security/v1/{login, logout, checkAccess} (thesis §2.6.4, Appendices Б, В, Г). Answers about
 * credentials and tokens are HTTP 200 with a code, as the appendices document; too many attempts is 429 with
 * Retry-After; malformed requests and outages get their HTTP status (ADR 0090).
 */
export function securityRoutes(app: ApiServer, service: SecurityService): void {
  const tags = ['security'];
  app.post(
    '/api/security/v1/login',
    {
      schema: {
        tags,
        summary: 'Log in (Appendix Б): a token for the login and password',
        body: Type.Ref(LoginRequestDto),
        response: { 200: Type.Ref(LoginResponseDto), 429: Type.Ref(LoginResponseDto), ...ERRORS },
      },
    },
    async (request, reply) => {
      const outcome = await service.login({ ...request.body, clientAddress: request.ip });
      if (outcome.code === 'OK') {
        return { ...securityResult('OK'), data: { token: outcome.token, operatorId: outcome.operatorId } };
      }
      if (outcome.code === 'TOO_MANY_ATTEMPTS') {
        reply.header('retry-after', String(Math.max(1, Math.ceil(outcome.retryAfterMs / 1000))));
        return reply.status(429).send(securityResult('TOO_MANY_ATTEMPTS'));
      }
      return securityResult(outcome.code);
    },
  );
  app.post(
    '/api/security/v1/logout',
    {
      schema: {
        tags,
        summary: 'Log out (Appendix В): the token is deleted',
        body: Type.Ref(LogoutRequestDto),
        response: { 200: Type.Ref(LogoutResponseDto), ...ERRORS },
      },
    },
    async (request) => securityResult((await service.logout(request.body.token)).code),
  );
  app.post(
    '/api/security/v1/checkAccess',
    {
      schema: {
        tags,
        summary: 'Check a token (Appendix Г), sliding its expiry when updateExpire is set',
        body: Type.Ref(CheckAccessRequestDto),
        response: { 200: Type.Ref(CheckAccessResponseDto), ...ERRORS },
      },
    },
    async (request) => {
      const outcome = await service.checkAccess(request.body.token, request.body.updateExpire ?? false);
      if (outcome.code === 'ACCESS_DENIED') return securityResult('ACCESS_DENIED');
      return { ...securityResult(outcome.code), data: { operatorId: outcome.operatorId } };
    },
  );
}
