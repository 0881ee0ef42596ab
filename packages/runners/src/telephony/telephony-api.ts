import { z } from 'zod';

/** The routes of the telephony's HTTP API (ADR 0081): the dialer's client calls them, the simulator serves them. */
export const TELEPHONY_API = {
  token: '/v1/auth/token',
  tasks: '/v1/tasks',
  taskBatch: '/v1/tasks/batch',
  task: '/v1/tasks/:externalId',
  status: '/v1/operators/:operatorId/status',
  events: '/v1/operators/:operatorId/events',
  /** Admin (no faults, no key): the model's counters. */
  stats: '/__sim/telephony/stats',
  /** Admin: `{count}`, lose the next tasks added. */
  loseNext: '/__sim/telephony/lose-next',
  /** Admin: `{ms}`, hold each addTask's answer this long after the task was taken (0 ends it). */
  holdAddAnswers: '/__sim/telephony/hold-add-answers',
} as const;

/** A route with its `:name` parameters filled in (each value URI-encoded). */
export function telephonyPath(route: string, params: Readonly<Record<string, string | number>>): string {
  return route.replace(/:(\w+)/g, (_, name: string) => encodeURIComponent(String(params[name])));
}

/** Most tasks one addTasks request takes. */
export const MAX_TASK_BATCH = 1000;

const positiveInt = z.int().min(1);

/** A task as addTask and addTasks take it. */
const task = z.strictObject({
  reference: z.string().min(1).max(128),
  task_id: positiveInt,
  attempt: positiveInt,
  phone: z.string().regex(/^7[0-9]{10}$/),
  operator_id: positiveInt.optional(),
});

/** `{id}` of a task the telephony holds. */
const taskId = z.object({ id: z.string().min(1) });

/** What a refused request answers (`NOT_FOUND`, `ALREADY_CALLED`, `BAD_REQUEST`, ...). */
const refusal = z.object({ error: z.string(), message: z.string().optional() });

/** A call event as a poll answers it (snake_case, ISO times); `duration_seconds` and `outcome` on ENDED only. */
const callEvent = z.discriminatedUnion('type', [
  z.object({ call_id: z.string(), task_id: z.string(), type: z.literal('STARTED'), occurred_at: z.string() }),
  z.object({
    call_id: z.string(),
    task_id: z.string(),
    type: z.literal('ENDED'),
    occurred_at: z.string(),
    duration_seconds: z.int().min(0),
    outcome: z.enum(['ANSWERED', 'NO_ANSWER', 'BUSY', 'FAILED']),
  }),
]);

/**
 * The bodies of the telephony's HTTP API, written once (the services' contracts in @tm/filters are the model, ADR
 * 0179): zod schemas of what each route takes and answers. The dialer's client types its requests with them and
 * reads the answers through them; the simulator validates requests with their JSON Schema (`requestJsonSchema` of
 * @tm/filters) and types its answers with them. Responses list what the client needs; the simulator may send more.
 */
export const TELEPHONY_BODIES = {
  token: {
    request: z.strictObject({
      operator_id: positiveInt,
      login: z.string().min(1).max(64),
      secret: z.string().min(1).max(256),
    }),
    response: z.object({
      access_token: z.string().min(1),
      /** Seconds from the answer. */
      expires_in: z.number(),
      token_type: z.string().optional(),
      expires_at: z.string().optional(),
      operator_id: z.number().optional(),
    }),
  },
  status: { request: z.strictObject({ status: z.enum(['READY', 'BREAK']) }) },
  addTask: { request: task, response: taskId },
  addTasks: {
    request: z.strictObject({ tasks: z.array(task).min(1).max(MAX_TASK_BATCH) }),
    /** In the order of the request: `{id}`, or a refusal of that task alone. */
    response: z.object({
      results: z.array(z.union([taskId, refusal])),
    }),
  },
  findTask: { response: taskId },
  events: { response: z.object({ events: z.array(callEvent), cursor: z.string() }) },
  refusal,
} as const;

export type TokenRequest = z.output<typeof TELEPHONY_BODIES.token.request>;
export type TokenAnswer = z.input<typeof TELEPHONY_BODIES.token.response>;
export type StatusRequest = z.output<typeof TELEPHONY_BODIES.status.request>;
export type TaskRequest = z.output<typeof task>;
export type AddTasksRequest = z.output<typeof TELEPHONY_BODIES.addTasks.request>;
export type AddTasksAnswer = z.input<typeof TELEPHONY_BODIES.addTasks.response>;
export type TaskIdAnswer = z.input<typeof taskId>;
export type CallEventBody = z.input<typeof callEvent>;
export type EventsAnswer = z.input<typeof TELEPHONY_BODIES.events.response>;
export type Refusal = z.input<typeof TELEPHONY_BODIES.refusal>;
