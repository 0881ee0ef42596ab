import { type TSchema, Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import type { ApiServer } from '../http/api-server.js';
import type { ArmState } from './arm-state.js';
import { latestOpenCommunication } from './card/communication-rows.js';
import { cardOfRow, loadCard, type PreparedCard } from './card/load-card.js';
import type { CardPresenter } from './card/present.js';
import type { ActionOutcome, OperatorActions } from './operator-actions.js';
import { reworkListOf } from './rework-list.js';
import {
  CallClientRequestDto,
  CallClientResponseDto,
  CommunicationListResponseDto,
  DictionariesResponseDto,
  GetClientCardByCommunicationIdRequestDto,
  GetClientCardResponseDto,
  HasChangesResponseDto,
  LoginRequestDto,
  LoginResponseDto,
  SaveCommunicationDraftRequestDto,
  SaveCommunicationRequestDto,
  SetStatusRequestDto,
  StatusResponseDto,
} from './schemas.js';
import type { SecurityPort } from './security-client.js';
import type { SessionKeeper } from './sessions.js';

/** Every `status` of the ARM API besides the transport ones, with its HTTP status (ADR 0090). */
export const ARM_STATUSES = {
  OK: 200,
  /** Missing, malformed, unknown, expired or logged-out token, or a locked operator (RFC 6750). */
  ACCESS_DENIED: 401,
  INVALID_CREDENTIALS: 401,
  OPERATOR_LOCKED: 403,
  /** No such communication of this operator, or no current call. */
  NOT_FOUND: 404,
  /** The communication is FIXED; FIXED is final. */
  ALREADY_FIXED: 409,
  TOO_MANY_ATTEMPTS: 429,
  TOO_MANY_REQUESTS: 429,
  BAD_REQUEST: 400,
} as const;

/** `{status, description?}`, the ARM's envelope without data. */
export function armStatus(status: string, description?: string) {
  return description === undefined ? { status } : { status, description };
}

/** What the routes need. */
export interface ArmRouteDeps {
  db: Knex;
  security: SecurityPort;
  state: ArmState;
  sessions: SessionKeeper;
  actions: OperatorActions;
  presenter: CardPresenter;
  logger: Logger;
  dictionaries: {
    results: readonly { key: string; label: string }[];
    reasons: readonly { key: string; label: string }[];
  };
  pollIntervalMs: number;
  historyLimit: number;
  reworkListLimit: number;
  /** The ARM's clock, epoch ms: what a card's `resultDueInMs` is counted from. */
  now: () => number;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The operator of the request's bearer token, set by the ARM's access check. */
    operatorId?: number;
  }
}

const BEARER = /^Bearer ([A-Za-z0-9\-._~+/]+=*)$/;
const status = Type.Ref(StatusResponseDto);
const ERRORS = { 400: status, 401: status, 404: status, 413: status, 415: status, 500: status, 503: status };

/**
 * The ARM API, /api/arm/v1 (thesis §2.6.5, Appendices Д–М), plus setStatus, callClient and getDictionaries (ours).
 * Every locked endpoint takes `Authorization: Bearer <token>` and is checked through the security service on each
 * request (sliding the token's expiry); a refusal is 401 with `WWW-Authenticate` (RFC 6750), and a token that
 * expired or whose operator was locked also closes the operator's session.
 */
export function armRoutes(app: ApiServer, deps: ArmRouteDeps): void {
  const { security, state, sessions, actions, presenter, db } = deps;
  const tags = ['arm'];
  const locked = [{ bearer: [] as string[] }];

  const deny = (reply: FastifyReply, error: 'invalid_request' | 'invalid_token', description: string) =>
    reply
      .status(401)
      .header('www-authenticate', `Bearer realm="arm", error="${error}"`)
      .send(armStatus('ACCESS_DENIED', description));

  const tokenOf = (request: FastifyRequest): string | undefined => {
    const header = request.headers.authorization;
    if (typeof header !== 'string' || header.length > 2100) return undefined;
    const token = BEARER.exec(header)?.[1];
    return token && token.length <= 2048 ? token : undefined;
  };

  /** The access check of every locked endpoint. */
  const authenticate = (touch: boolean) => async (request: FastifyRequest, reply: FastifyReply) => {
    const token = tokenOf(request);
    if (!token) return deny(reply, 'invalid_request', 'a bearer token is required');
    const access = await security.checkAccess(token, true);
    if (access.code !== 'OK') {
      if (access.code !== 'ACCESS_DENIED') {
        await sessions
          .refused(access.operatorId, access.code)
          .catch((error: unknown) =>
            deps.logger.warn(
              { operatorId: access.operatorId, error: String(error) },
              'closing the session failed',
            ),
          );
      }
      return deny(reply, 'invalid_token', 'the token is not valid');
    }
    request.operatorId = access.operatorId;
    if (touch) await sessions.touch(access.operatorId);
  };
  const operatorOf = (request: FastifyRequest): number => {
    if (request.operatorId === undefined) throw new Error('ARM route without its access check');
    return request.operatorId;
  };
  const lockedRoute = (summary: string, response: Record<number, TSchema>, touch = true) => ({
    preHandler: authenticate(touch),
    schema: {
      tags,
      summary,
      security: locked,
      response: { 200: response[200] ?? status, ...ERRORS, ...response },
    },
  });
  const reply = (res: FastifyReply, outcome: ActionOutcome) => {
    if (outcome.status === 'TOO_MANY_REQUESTS') {
      res.header('retry-after', String(Math.max(1, Math.ceil(outcome.retryAfterMs / 1000))));
    }
    const description = outcome.status === 'BAD_REQUEST' ? outcome.description : undefined;
    return res.status(ARM_STATUSES[outcome.status]).send(armStatus(outcome.status, description));
  };
  const cardAnswer = (prepared: PreparedCard) => ({
    status: 'OK',
    data: {
      clientCard: prepared.card,
      resultDueAt: prepared.resultDueAt,
      resultDueInMs:
        prepared.resultDueAt === null ? null : Math.max(0, Date.parse(prepared.resultDueAt) - deps.now()),
    },
  });

  app.post(
    '/api/arm/v1/login',
    {
      schema: {
        tags,
        summary: 'Log in (Appendix Д); opens the operator’s session for the dialer',
        body: Type.Ref(LoginRequestDto),
        response: { 200: Type.Ref(LoginResponseDto), 403: status, 429: status, ...ERRORS },
      },
    },
    async (request, res) => {
      const outcome = await security.login({ ...request.body, clientAddress: request.ip });
      switch (outcome.code) {
        case 'OK':
          await sessions.open(outcome.operatorId);
          return { status: 'OK', data: { token: outcome.token } };
        case 'TOO_MANY_ATTEMPTS':
          res.header('retry-after', String(Math.max(1, Math.ceil(outcome.retryAfterMs / 1000))));
          return res
            .status(429)
            .send(armStatus('TOO_MANY_ATTEMPTS', 'too many login attempts; try again later'));
        case 'OPERATOR_LOCKED':
          return res.status(403).send(armStatus('OPERATOR_LOCKED', 'the operator is locked'));
        default:
          return res.status(401).send(armStatus('INVALID_CREDENTIALS', 'wrong login or password'));
      }
    },
  );

  app.get(
    '/api/arm/v1/listCommunications',
    lockedRoute('The operator’s rework list (Appendix Е): communications saved as DRAFT', {
      200: Type.Ref(CommunicationListResponseDto),
    }),
    async (request) => {
      const operatorId = operatorOf(request);
      const rows = await reworkListOf(db, state, operatorId, deps.reworkListLimit);
      await state.acknowledge(operatorId, 'COMMUNICATIONS_CHANGED');
      return { status: 'OK', data: { communications: rows.map((r) => presenter.listItem(r)) } };
    },
  );

  app.get(
    '/api/arm/v1/hasChanges',
    lockedRoute('Anything new to show (Appendix Ж)? Answered from Redis, never the database', {
      200: Type.Ref(HasChangesResponseDto),
    }),
    async (request) => {
      const changes = await state.changes(operatorOf(request));
      return {
        status: 'OK',
        data: { hasChanges: changes.length > 0, changes, pollIntervalMs: deps.pollIntervalMs },
      };
    },
  );

  app.get(
    '/api/arm/v1/getClientCard',
    lockedRoute('The card of the current call (Appendix З)', { 200: Type.Ref(GetClientCardResponseDto) }),
    async (request, res) => {
      const operatorId = operatorOf(request);
      let prepared = await state.card(operatorId);
      if (!prepared) {
        const row = await latestOpenCommunication(db, operatorId);
        if (row) {
          prepared = await cardOfRow(db, presenter, row, deps.historyLimit);
          await state.setCard(operatorId, prepared);
        }
      }
      await state.acknowledge(operatorId, 'CLIENT_CARD_READY', 'CALL_ENDED');
      if (!prepared) return res.status(404).send(armStatus('NOT_FOUND', 'no current call'));
      return cardAnswer(prepared);
    },
  );

  app.post(
    '/api/arm/v1/saveCommunicationDraft',
    {
      preHandler: authenticate(true),
      schema: {
        tags,
        security: locked,
        summary: 'Save an intermediate result (Appendix И): the communication goes to the rework list',
        body: Type.Ref(SaveCommunicationDraftRequestDto),
        response: { 200: status, 409: status, ...ERRORS },
      },
    },
    async (request, res) => reply(res, await actions.save(operatorOf(request), 'DRAFT', request.body)),
  );

  app.post(
    '/api/arm/v1/saveCommunicationResult',
    {
      preHandler: authenticate(true),
      schema: {
        tags,
        security: locked,
        summary: 'Save the result (Appendix К): the communication becomes FIXED, which is final',
        body: Type.Ref(SaveCommunicationRequestDto),
        response: { 200: status, 409: status, ...ERRORS },
      },
    },
    async (request, res) => reply(res, await actions.save(operatorOf(request), 'FIXED', request.body)),
  );

  app.post(
    '/api/arm/v1/getClientCardByCommunicationId',
    {
      preHandler: authenticate(true),
      schema: {
        tags,
        security: locked,
        summary: 'A card of one of the operator’s own communications (Appendix Л)',
        body: Type.Ref(GetClientCardByCommunicationIdRequestDto),
        response: { 200: Type.Ref(GetClientCardResponseDto), ...ERRORS },
      },
    },
    async (request, res) => {
      const prepared = await loadCard(
        db,
        presenter,
        request.body.communicationId,
        operatorOf(request),
        deps.historyLimit,
      );
      if (!prepared) return res.status(404).send(armStatus('NOT_FOUND', 'no such communication'));
      return cardAnswer(prepared);
    },
  );

  app.get(
    '/api/arm/v1/logout',
    lockedRoute('Log out (Appendix М); closes the operator’s session for the dialer', {}, false),
    async (request) => {
      const token = tokenOf(request) as string;
      await sessions.logout(operatorOf(request));
      await security.logout(token);
      return armStatus('OK');
    },
  );

  app.post(
    '/api/arm/v1/setStatus',
    {
      preHandler: authenticate(true),
      schema: {
        tags,
        security: locked,
        summary: 'Ready to take calls, or on a break (ours, ADR 0096)',
        body: Type.Ref(SetStatusRequestDto),
        response: { 200: status, ...ERRORS },
      },
    },
    async (request) => {
      await sessions.setStatus(operatorOf(request), request.body.status);
      return armStatus('OK');
    },
  );

  app.post(
    '/api/arm/v1/callClient',
    {
      preHandler: authenticate(true),
      schema: {
        tags,
        security: locked,
        summary:
          'Click-to-call (ours, ADR 0097): the dialer calls the client back and connects this operator',
        body: Type.Ref(CallClientRequestDto),
        response: { 200: Type.Ref(CallClientResponseDto), 429: status, ...ERRORS },
      },
    },
    async (request, res) => {
      const outcome = await actions.callClient(operatorOf(request), request.body.communicationId);
      if (outcome.status === 'OK') return { status: 'OK', data: { requestId: outcome.requestId ?? '' } };
      return reply(res, outcome);
    },
  );

  app.get(
    '/api/arm/v1/getDictionaries',
    lockedRoute('The result form’s results and reasons (ours)', { 200: Type.Ref(DictionariesResponseDto) }),
    async () => {
      const items = (entries: readonly { key: string; label: string }[]) =>
        entries.map((e) => ({ dictionaryKey: e.key, dictionaryValue: e.label }));
      return {
        status: 'OK',
        data: { results: items(deps.dictionaries.results), reasons: items(deps.dictionaries.reasons) },
      };
    },
  );
}
