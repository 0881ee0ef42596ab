import { setTimeout as sleep } from 'node:timers/promises';
import type { TelephonySimulatorConfig } from '@tm/contracts';
import { requestJsonSchema } from '@tm/filters';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  type AddTasksAnswer,
  type AddTasksRequest,
  type CallEventBody,
  type EventsAnswer,
  MAX_TASK_BATCH,
  type Refusal,
  type StatusRequest,
  type TaskIdAnswer,
  type TaskRequest,
  TELEPHONY_API,
  TELEPHONY_BODIES,
  type TokenAnswer,
  type TokenRequest,
} from '../telephony/telephony-api.js';
import type { FaultControl } from './faults.js';
import { createSimulatorServer } from './simulator-server.js';
import {
  type SimulatedCallEvent,
  type SimulatedTaskInput,
  type TelephonyModel,
  type TelephonyModelSettings,
  TelephonyRefusal,
} from './telephony-model.js';

export { MAX_TASK_BATCH, TELEPHONY_API };

/** Most events one poll answers, and the default. */
export const MAX_EVENTS_PAGE = 1000;
const DEFAULT_EVENTS_PAGE = 100;

/** The model's settings from the config section and the secrets (from the environment, see telephonySecretsFromEnv). */
export function telephonyModelSettings(
  seed: string | number,
  config: TelephonySimulatorConfig,
  secrets: { apiKey: string; operatorSecret: string },
): TelephonyModelSettings {
  const { port: _port, latency: _latency, errorRate: _errorRate, ...model } = config;
  return { ...model, seed, ...secrets };
}

const operatorParams = {
  type: 'object',
  required: ['operatorId'],
  properties: { operatorId: { type: 'string', pattern: '^[1-9][0-9]{0,14}$' } },
} as const;

const tokenSchema = { body: requestJsonSchema(TELEPHONY_BODIES.token) };
const statusSchema = { params: operatorParams, body: requestJsonSchema(TELEPHONY_BODIES.status) };
const addTaskSchema = { body: requestJsonSchema(TELEPHONY_BODIES.addTask) };
const addTasksSchema = { body: requestJsonSchema(TELEPHONY_BODIES.addTasks) };

/** A task of a request body as the model takes it. */
function taskInput({ reference, task_id, attempt, phone, operator_id }: TaskRequest): SimulatedTaskInput {
  return {
    reference,
    taskId: task_id,
    attempt,
    phone,
    ...(operator_id === undefined ? {} : { operatorId: operator_id }),
  };
}

const findTaskSchema = {
  querystring: {
    type: 'object',
    required: ['reference'],
    properties: { reference: { type: 'string', minLength: 1, maxLength: 128 } },
    additionalProperties: false,
  },
} as const;

const deleteSchema = {
  params: {
    type: 'object',
    required: ['externalId'],
    properties: { externalId: { type: 'string', minLength: 1, maxLength: 128 } },
  },
} as const;

const eventsSchema = {
  params: operatorParams,
  querystring: {
    type: 'object',
    properties: {
      after: { type: 'string', minLength: 1, maxLength: 64 },
      limit: { type: 'string', pattern: '^[1-9][0-9]{0,3}$' },
    },
    additionalProperties: false,
  },
} as const;

interface OperatorParams {
  operatorId: string;
}

/** The bearer token of a request, or '' (refused as unknown). */
function bearer(request: FastifyRequest): string {
  const header = request.headers.authorization ?? '';
  return header.startsWith('Bearer ') ? header.slice(7).trim() : '';
}

function apiKey(request: FastifyRequest): string {
  const header = request.headers['x-api-key'];
  return typeof header === 'string' ? header : '';
}

/** The event as the API answers it (snake_case, ISO times). */
function eventBody(event: SimulatedCallEvent): CallEventBody {
  const common = {
    call_id: event.callId,
    task_id: event.externalTaskId,
    occurred_at: new Date(event.at).toISOString(),
  };
  if (event.kind === 'STARTED') return { ...common, type: 'STARTED' };
  const { durationSeconds, outcome } = event;
  if (durationSeconds === undefined || outcome === undefined)
    throw new Error(`telephony simulator: ENDED event ${event.callId} without its duration or outcome`);
  return { ...common, type: 'ENDED', duration_seconds: durationSeconds, outcome };
}

/** A refusal's body. */
const refusal = (error: string, message: string): Refusal => ({ error, message });

/**
 * The telephony stand-in (ADR 0081) over `model`: a provider-shaped HTTP API. The account's API key goes in
 * `x-api-key`; an operator's token in `Authorization: Bearer`.
 *
 * - `POST /v1/auth/token` `{operator_id, login, secret}` → `{access_token, token_type, expires_in, operator_id}`
 * - `PUT /v1/operators/{id}/status` `{status: READY|BREAK}` → 204
 * - `POST /v1/tasks` `{reference, task_id, attempt, phone, operator_id?}` → 201 `{id}`
 * - `POST /v1/tasks/batch` `{tasks: [up to 1000 tasks as above]}` → 200 `{results: [{id}]}`, in order (ADR 0170)
 * - `GET /v1/tasks?reference=` → 200 `{id}` of the task last added with that reference, 404 `NOT_FOUND`
 * - `DELETE /v1/tasks/{id}` → 204 (deleted), 409 `ALREADY_CALLED`, 404 `NOT_FOUND`
 * - `GET /v1/operators/{id}/events?after=&limit=` → `{events: [{call_id, task_id, type, occurred_at,
 *   duration_seconds?, outcome?}], cursor}`
 * - `GET /__sim/telephony/stats` → the model's counters; `POST /__sim/telephony/lose-next {count}` loses the
 *   next tasks added; `POST /__sim/telephony/hold-add-answers {ms}` takes each task at once but answers the addTask
 *   `ms` later, so a caller that dies meanwhile never learns it was taken (admin: no key, no faults)
 *
 * Refusals answer `{error, message}`: 401 for a bad key, credentials or an expired token or closed session, 403
 * for another operator's token, 400 for a malformed request.
 */
export function createTelephonySimulator(model: TelephonyModel, faults: FaultControl): FastifyInstance {
  const app = createSimulatorServer();
  let holdAddAnswersMs = 0;
  faults.install(app);
  app.setErrorHandler((error, _request, reply: FastifyReply) => {
    if (error instanceof TelephonyRefusal)
      return reply.code(error.status).send(refusal(error.code, error.message));
    const status = (error as { statusCode?: number }).statusCode ?? 500;
    return reply
      .code(status)
      .send(
        refusal(
          status < 500 ? 'BAD_REQUEST' : 'INTERNAL',
          error instanceof Error ? error.message : String(error),
        ),
      );
  });

  app.post<{ Body: TokenRequest }>(
    TELEPHONY_API.token,
    { schema: tokenSchema },
    async (request): Promise<TokenAnswer> => {
      const { operator_id, login, secret } = request.body;
      const { token, expiresAt, expiresInMs } = model.authenticate(
        apiKey(request),
        operator_id,
        login,
        secret,
      );
      return {
        access_token: token,
        token_type: 'Bearer',
        expires_in: expiresInMs / 1000,
        expires_at: new Date(expiresAt).toISOString(),
        operator_id,
      };
    },
  );

  app.put<{ Params: OperatorParams; Body: StatusRequest }>(
    TELEPHONY_API.status,
    { schema: statusSchema },
    async (request, reply) => {
      model.setStatus(bearer(request), Number(request.params.operatorId), request.body.status);
      return reply.code(204).send();
    },
  );

  app.post<{ Body: TaskRequest }>(TELEPHONY_API.tasks, { schema: addTaskSchema }, async (request, reply) => {
    const id = model.addTask(apiKey(request), taskInput(request.body));
    if (holdAddAnswersMs > 0) await sleep(holdAddAnswersMs);
    return reply.code(201).send({ id } satisfies TaskIdAnswer);
  });

  app.post<{ Body: AddTasksRequest }>(
    TELEPHONY_API.taskBatch,
    { schema: addTasksSchema },
    async (request): Promise<AddTasksAnswer> => {
      const key = apiKey(request);
      const results = request.body.tasks.map((task) => ({ id: model.addTask(key, taskInput(task)) }));
      if (holdAddAnswersMs > 0) await sleep(holdAddAnswersMs);
      return { results };
    },
  );

  app.get<{ Querystring: { reference: string } }>(
    TELEPHONY_API.tasks,
    { schema: findTaskSchema },
    async (request, reply) => {
      const id = model.findTask(apiKey(request), request.query.reference);
      if (id === undefined) return reply.code(404).send(refusal('NOT_FOUND', 'no task with that reference'));
      return { id } satisfies TaskIdAnswer;
    },
  );

  app.delete<{ Params: { externalId: string } }>(
    TELEPHONY_API.task,
    { schema: deleteSchema },
    async (request, reply) => {
      const result = model.deleteTask(apiKey(request), request.params.externalId);
      if (result === 'DELETED') return reply.code(204).send();
      if (result === 'ALREADY_CALLED')
        return reply.code(409).send(refusal(result, 'the task was called already'));
      return reply.code(404).send(refusal(result, 'no such task'));
    },
  );

  app.get<{ Params: OperatorParams; Querystring: { after?: string; limit?: string } }>(
    TELEPHONY_API.events,
    { schema: eventsSchema },
    async (request): Promise<EventsAnswer> => {
      const limit = Math.min(MAX_EVENTS_PAGE, Number(request.query.limit ?? DEFAULT_EVENTS_PAGE));
      const page = model.events(
        bearer(request),
        Number(request.params.operatorId),
        request.query.after ?? null,
        limit,
      );
      return { events: page.events.map(eventBody), cursor: page.cursor };
    },
  );

  app.get(TELEPHONY_API.stats, async () => model.stats());
  app.post<{ Body: { count: number } }>(
    TELEPHONY_API.loseNext,
    {
      schema: {
        body: {
          type: 'object',
          required: ['count'],
          properties: { count: { type: 'integer', minimum: 0 } },
          additionalProperties: false,
        },
      },
    },
    async (request) => {
      model.loseNextTasks(request.body.count);
      return { loseNext: request.body.count };
    },
  );
  app.post<{ Body: { ms: number } }>(
    TELEPHONY_API.holdAddAnswers,
    {
      schema: {
        body: {
          type: 'object',
          required: ['ms'],
          properties: { ms: { type: 'integer', minimum: 0, maximum: 600_000 } },
          additionalProperties: false,
        },
      },
    },
    async (request) => {
      holdAddAnswersMs = request.body.ms;
      return { holdAddAnswersMs };
    },
  );
  return app;
}
