import { setTimeout as sleep } from 'node:timers/promises';
import type { TelephonySimulatorConfig } from '@tm/contracts';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { TELEPHONY_API } from '../telephony/telephony-api.js';
import type { FaultControl } from './faults.js';
import { createSimulatorServer } from './simulator-server.js';
import {
  type SimulatedCallEvent,
  type SimulatedTaskInput,
  type TelephonyModel,
  type TelephonyModelSettings,
  TelephonyRefusal,
} from './telephony-model.js';

export { TELEPHONY_API };

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

const tokenSchema = {
  body: {
    type: 'object',
    required: ['operator_id', 'login', 'secret'],
    properties: {
      operator_id: { type: 'integer', minimum: 1 },
      login: { type: 'string', minLength: 1, maxLength: 64 },
      secret: { type: 'string', minLength: 1, maxLength: 256 },
    },
    additionalProperties: false,
  },
} as const;

const statusSchema = {
  params: operatorParams,
  body: {
    type: 'object',
    required: ['status'],
    properties: { status: { enum: ['READY', 'BREAK'] } },
    additionalProperties: false,
  },
} as const;

const taskSchema = {
  type: 'object',
  required: ['reference', 'task_id', 'attempt', 'phone'],
  properties: {
    reference: { type: 'string', minLength: 1, maxLength: 128 },
    task_id: { type: 'integer', minimum: 1 },
    attempt: { type: 'integer', minimum: 1 },
    phone: { type: 'string', pattern: '^7[0-9]{10}$' },
    operator_id: { type: 'integer', minimum: 1 },
  },
  additionalProperties: false,
} as const;

const addTaskSchema = { body: taskSchema } as const;

/** Most tasks one addTasks request takes. */
export const MAX_TASK_BATCH = 1000;

const addTasksSchema = {
  body: {
    type: 'object',
    required: ['tasks'],
    properties: { tasks: { type: 'array', minItems: 1, maxItems: MAX_TASK_BATCH, items: taskSchema } },
    additionalProperties: false,
  },
} as const;

interface TaskBody {
  reference: string;
  task_id: number;
  attempt: number;
  phone: string;
  operator_id?: number;
}

/** A task of a request body as the model takes it. */
function taskInput({ reference, task_id, attempt, phone, operator_id }: TaskBody): SimulatedTaskInput {
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
function eventBody(event: SimulatedCallEvent): Record<string, unknown> {
  return {
    call_id: event.callId,
    task_id: event.externalTaskId,
    type: event.kind,
    occurred_at: new Date(event.at).toISOString(),
    ...(event.kind === 'ENDED' ? { duration_seconds: event.durationSeconds, outcome: event.outcome } : {}),
  };
}

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
      return reply.code(error.status).send({ error: error.code, message: error.message });
    const status = (error as { statusCode?: number }).statusCode ?? 500;
    return reply.code(status).send({
      error: status < 500 ? 'BAD_REQUEST' : 'INTERNAL',
      message: error instanceof Error ? error.message : String(error),
    });
  });

  app.post<{ Body: { operator_id: number; login: string; secret: string } }>(
    TELEPHONY_API.token,
    { schema: tokenSchema },
    async (request) => {
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

  app.put<{ Params: OperatorParams; Body: { status: 'READY' | 'BREAK' } }>(
    TELEPHONY_API.status,
    { schema: statusSchema },
    async (request, reply) => {
      model.setStatus(bearer(request), Number(request.params.operatorId), request.body.status);
      return reply.code(204).send();
    },
  );

  app.post<{ Body: TaskBody }>(TELEPHONY_API.tasks, { schema: addTaskSchema }, async (request, reply) => {
    const id = model.addTask(apiKey(request), taskInput(request.body));
    if (holdAddAnswersMs > 0) await sleep(holdAddAnswersMs);
    return reply.code(201).send({ id });
  });

  app.post<{ Body: { tasks: TaskBody[] } }>(
    TELEPHONY_API.taskBatch,
    { schema: addTasksSchema },
    async (request) => {
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
      if (id === undefined)
        return reply.code(404).send({ error: 'NOT_FOUND', message: 'no task with that reference' });
      return { id };
    },
  );

  app.delete<{ Params: { externalId: string } }>(
    TELEPHONY_API.task,
    { schema: deleteSchema },
    async (request, reply) => {
      const result = model.deleteTask(apiKey(request), request.params.externalId);
      if (result === 'DELETED') return reply.code(204).send();
      if (result === 'ALREADY_CALLED')
        return reply.code(409).send({ error: result, message: 'the task was called already' });
      return reply.code(404).send({ error: result, message: 'no such task' });
    },
  );

  app.get<{ Params: OperatorParams; Querystring: { after?: string; limit?: string } }>(
    TELEPHONY_API.events,
    { schema: eventsSchema },
    async (request) => {
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
