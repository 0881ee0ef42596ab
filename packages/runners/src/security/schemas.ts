import { type Static, Type } from '@sinclair/typebox';

/**
 * The security service's DTOs, Appendices Б–Г of the thesis, as TypeBox schemas under named `$id`s: Fastify
 * validates requests and serialises answers with them, and the OpenAPI document names them so. Lengths are the
 * appendices' (2048). `CheckAccessResponseDto.data` is this project's addition (ADR 0090).
 */

/** Every answer's `result`: a code (OK, ACCESS_DENIED, ...) and a description a person can read. */
export const ResultResponseDto = Type.Object(
  {
    code: Type.String({ maxLength: 32, examples: ['OK'] }),
    description: Type.Optional(Type.String({ maxLength: 256 })),
  },
  { $id: 'ResultResponseDto', additionalProperties: false },
);

export const LoginRequestDto = Type.Object(
  {
    login: Type.String({ minLength: 1, maxLength: 2048, examples: ['somelogin'] }),
    password: Type.String({ minLength: 1, maxLength: 2048 }),
  },
  { $id: 'LoginRequestDto', additionalProperties: false },
);
export type LoginRequest = Static<typeof LoginRequestDto>;

export const TokenResponseDto = Type.Object(
  {
    token: Type.String({ maxLength: 2048 }),
    operatorId: Type.Integer({ minimum: 0, examples: [683] }),
  },
  { $id: 'TokenResponseDto', additionalProperties: false },
);

export const LoginResponseDto = Type.Object(
  { result: Type.Ref(ResultResponseDto), data: Type.Optional(Type.Ref(TokenResponseDto)) },
  {
    $id: 'LoginResponseDto',
    additionalProperties: false,
    description:
      'OK with the token; INVALID_CREDENTIALS, OPERATOR_LOCKED or TOO_MANY_ATTEMPTS (HTTP 429) without.',
  },
);

export const LogoutRequestDto = Type.Object(
  { token: Type.String({ minLength: 1, maxLength: 2048 }) },
  { $id: 'LogoutRequestDto', additionalProperties: false },
);
export type LogoutRequest = Static<typeof LogoutRequestDto>;

/** Logout's answer, and the body of every error (400, 404, 413, 415, 429, 500, 503). */
export const LogoutResponseDto = Type.Object(
  { result: Type.Ref(ResultResponseDto) },
  { $id: 'LogoutResponseDto', additionalProperties: false },
);

export const CheckAccessRequestDto = Type.Object(
  {
    token: Type.String({ minLength: 1, maxLength: 2048 }),
    updateExpire: Type.Optional(Type.Boolean({ description: 'Extend the token’s expiry (sliding expiry).' })),
  },
  { $id: 'CheckAccessRequestDto', additionalProperties: false },
);
export type CheckAccessRequest = Static<typeof CheckAccessRequestDto>;

export const AccessDto = Type.Object(
  { operatorId: Type.Integer({ minimum: 0 }) },
  { $id: 'AccessDto', additionalProperties: false, description: 'The token’s operator (ours, ADR 0090).' },
);

export const CheckAccessResponseDto = Type.Object(
  { result: Type.Ref(ResultResponseDto), data: Type.Optional(Type.Ref(AccessDto)) },
  {
    $id: 'CheckAccessResponseDto',
    additionalProperties: false,
    description: 'OK; or ACCESS_DENIED, TOKEN_EXPIRED, OPERATOR_LOCKED (the last two with the operator).',
  },
);

/** Every shared schema of the security API, for `addSchema`. */
export const SECURITY_SCHEMAS = [
  ResultResponseDto,
  LoginRequestDto,
  TokenResponseDto,
  LoginResponseDto,
  LogoutRequestDto,
  LogoutResponseDto,
  CheckAccessRequestDto,
  AccessDto,
  CheckAccessResponseDto,
] as const;
