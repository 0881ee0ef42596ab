import { HttpStatusError } from '@tm/filters';
import { Pool } from 'undici';
import type { z } from 'zod';
import {
  type AddTaskOutcome,
  type DeleteTaskResult,
  type OperatorCredentials,
  type OperatorSession,
  type OperatorStatus,
  type PolledEvents,
  type Telephony,
  type TelephonyCallEvent,
  TelephonyError,
  type TelephonyTask,
} from './telephony.js';
import {
  type AddTasksRequest,
  type CallEventBody,
  type StatusRequest,
  type TaskRequest,
  TELEPHONY_API,
  TELEPHONY_BODIES,
  type TokenRequest,
  telephonyPath,
} from './telephony-api.js';

/** How to reach the provider's HTTP API (the telephony simulator's, ADR 0081). */
export interface HttpTelephonyOptions {
  /** The provider's base URL; only its origin is used. */
  readonly url: string;
  /** The account's API key (from the environment, `TM_TELEPHONY_API_KEY`; never logged). */
  readonly apiKey: string;
  /** Each request's bound, connect to last byte; default 2000 ms. */
  readonly timeoutMs?: number;
  /** Most connections to the provider; default 16. */
  readonly connections?: number;
  /** Most events one poll asks for; default 500 (the provider answers at most 1000). */
  readonly eventsPageSize?: number;
  /** The clock a token's expiry is computed on; default Date.now. */
  readonly now?: () => number;
}

interface Answer {
  readonly status: number;
  /** The provider's JSON, read through the API's schemas (telephony-api.ts); undefined for an empty body. */
  readonly body: unknown;
}

/**
 * The {@link Telephony} port over the provider's HTTP API (see telephony-simulator.ts for the routes): a pool of
 * keep-alive connections (undici's `Pool`, ADR 0053), each request bounded by `timeoutMs`. Failures become
 * {@link TelephonyError}s: no answer, a timeout, 5xx, 408 and 429 → UNAVAILABLE; 401 and 403 → AUTH; any other
 * 4xx → REJECTED; a 2xx whose body is not what the API says → UNAVAILABLE (nothing usable was learnt). Messages
 * carry the operation and the status, never a token, a key or a phone (runs of 6+ digits in a quoted body are
 * masked).
 */
export class HttpTelephony implements Telephony {
  readonly #pool: Pool;
  readonly #apiKey: string;
  readonly #timeoutMs: number;
  readonly #pageSize: number;
  readonly #now: () => number;

  constructor(options: HttpTelephonyOptions) {
    this.#pool = new Pool(new URL(options.url).origin, { connections: options.connections ?? 16 });
    this.#apiKey = options.apiKey;
    this.#timeoutMs = options.timeoutMs ?? 2000;
    this.#pageSize = options.eventsPageSize ?? 500;
    this.#now = options.now ?? Date.now;
  }

  async authenticate(operatorId: number, credentials: OperatorCredentials): Promise<OperatorSession> {
    const asked = this.#now();
    const request: TokenRequest = {
      operator_id: operatorId,
      login: credentials.login,
      secret: credentials.secret,
    };
    const { body } = await this.#call('authenticate', 'POST', TELEPHONY_API.token, {
      headers: { 'x-api-key': this.#apiKey },
      body: request,
      ok: [200],
    });
    const answer = read('authenticate', TELEPHONY_BODIES.token.response, body);
    return { operatorId, token: answer.access_token, expiresAt: asked + answer.expires_in * 1000 };
  }

  async setStatus(session: OperatorSession, status: OperatorStatus): Promise<void> {
    await this.#call(
      'setStatus',
      'PUT',
      telephonyPath(TELEPHONY_API.status, { operatorId: session.operatorId }),
      {
        headers: { authorization: `Bearer ${session.token}` },
        body: { status } satisfies StatusRequest,
        ok: [200, 204],
      },
    );
  }

  async addTask(task: TelephonyTask): Promise<{ readonly externalId: string }> {
    const { body } = await this.#call('addTask', 'POST', TELEPHONY_API.tasks, {
      headers: { 'x-api-key': this.#apiKey },
      body: taskBody(task),
      ok: [200, 201],
    });
    return { externalId: read('addTask', TELEPHONY_BODIES.addTask.response, body).id };
  }

  async addTasks(tasks: readonly TelephonyTask[]): Promise<readonly AddTaskOutcome[]> {
    if (tasks.length === 0) return [];
    const { body } = await this.#call('addTasks', 'POST', TELEPHONY_API.taskBatch, {
      headers: { 'x-api-key': this.#apiKey },
      body: { tasks: tasks.map(taskBody) } satisfies AddTasksRequest,
      ok: [200],
    });
    const { results } = read('addTasks', TELEPHONY_BODIES.addTasks.response, body);
    if (results.length !== tasks.length) throw unreadable('addTasks');
    return results.map((r) => {
      if ('id' in r) return { externalId: r.id };
      const message = r.message ?? r.error;
      return { refused: new TelephonyError('REJECTED', `telephony addTasks: ${r.error}: ${message}`) };
    });
  }

  async findTask(reference: string): Promise<{ readonly externalId: string } | undefined> {
    const query = new URLSearchParams({ reference });
    const { status, body } = await this.#call('findTask', 'GET', `${TELEPHONY_API.tasks}?${query}`, {
      headers: { 'x-api-key': this.#apiKey },
      ok: [200, 404],
    });
    if (status === 404) {
      // Only the API's own NOT_FOUND is an answer; a proxy's 404 says nothing about the task.
      if (refusalCode(body) === 'NOT_FOUND') return undefined;
      throw new TelephonyError('REJECTED', `telephony findTask: HTTP ${status}`, status);
    }
    return { externalId: read('findTask', TELEPHONY_BODIES.findTask.response, body).id };
  }

  async deleteTask(externalId: string): Promise<DeleteTaskResult> {
    const { status, body } = await this.#call(
      'deleteTask',
      'DELETE',
      telephonyPath(TELEPHONY_API.task, { externalId }),
      { headers: { 'x-api-key': this.#apiKey }, ok: [200, 204, 404, 409] },
    );
    if (status === 200 || status === 204) return 'DELETED';
    // A 404 or 409 is an answer only with the API's code; otherwise (a proxy's 404, say) it is a refusal.
    const code = refusalCode(body);
    if (status === 404 && code === 'NOT_FOUND') return 'NOT_FOUND';
    if (status === 409 && code === 'ALREADY_CALLED') return 'ALREADY_CALLED';
    throw new TelephonyError('REJECTED', `telephony deleteTask: HTTP ${status}`, status);
  }

  async pollEvents(session: OperatorSession, cursor: string | null): Promise<PolledEvents> {
    const query = new URLSearchParams({ limit: String(this.#pageSize) });
    if (cursor !== null) query.set('after', cursor);
    const { body } = await this.#call(
      'pollEvents',
      'GET',
      `${telephonyPath(TELEPHONY_API.events, { operatorId: session.operatorId })}?${query}`,
      { headers: { authorization: `Bearer ${session.token}` }, ok: [200] },
    );
    const page = read('pollEvents', TELEPHONY_BODIES.events.response, body);
    return { events: page.events.map(callEventOf), cursor: page.cursor };
  }

  /** Closes the connections once the calls in flight are answered. */
  close(): Promise<void> {
    return this.#pool.close();
  }

  async #call(
    operation: string,
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    path: string,
    request: { headers: Record<string, string>; body?: unknown; ok: readonly number[] },
  ): Promise<Answer> {
    let status: number;
    let text: string;
    try {
      const response = await this.#pool.request({
        method,
        path,
        headers: {
          accept: 'application/json',
          ...(request.body === undefined ? {} : { 'content-type': 'application/json' }),
          ...request.headers,
        },
        body: request.body === undefined ? null : JSON.stringify(request.body),
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
      status = response.statusCode;
      text = await response.body.text();
    } catch (error) {
      // undici's errors carry a string code (ECONNREFUSED, UND_ERR_SOCKET); the timeout's DOMException a name.
      const code = (error as { code?: unknown }).code;
      const reason = typeof code === 'string' ? code : error instanceof Error ? error.name : 'error';
      throw new TelephonyError('UNAVAILABLE', `telephony ${operation}: no answer (${reason})`);
    }
    if (!request.ok.includes(status)) {
      const detail = new HttpStatusError(status, text).message;
      throw new TelephonyError(kindOf(status), `telephony ${operation}: ${detail}`, status);
    }
    if (text.length === 0) return { status, body: undefined };
    try {
      return { status, body: JSON.parse(text) };
    } catch {
      throw unreadable(operation);
    }
  }
}

/** A task as the API's addTask and addTasks take it. */
function taskBody(task: TelephonyTask): TaskRequest {
  return {
    reference: task.reference,
    task_id: task.taskId,
    attempt: task.attempt,
    phone: task.phone,
    ...(task.operatorId === undefined ? {} : { operator_id: task.operatorId }),
  };
}

/** The error kind of a refused request's status. */
export function kindOf(status: number): TelephonyError['kind'] {
  if (status === 401 || status === 403) return 'AUTH';
  if (status >= 500 || status === 408 || status === 429) return 'UNAVAILABLE';
  return 'REJECTED';
}

function unreadable(operation: string): TelephonyError {
  return new TelephonyError('UNAVAILABLE', `telephony ${operation}: the answer is not what the API says`);
}

/** `body` read through `schema`: what the API says a 2xx answers; anything else is {@link unreadable}. */
function read<S extends z.ZodType>(operation: string, schema: S, body: unknown): z.output<S> {
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw unreadable(operation);
  return parsed.data;
}

/** The API's code of a refusal (`NOT_FOUND`, ...), or undefined when the body is not one (a proxy's page). */
function refusalCode(body: unknown): string | undefined {
  const parsed = TELEPHONY_BODIES.refusal.safeParse(body);
  return parsed.success ? parsed.data.error : undefined;
}

function callEventOf(e: CallEventBody): TelephonyCallEvent {
  const at = Date.parse(e.occurred_at);
  if (Number.isNaN(at)) throw unreadable('pollEvents');
  if (e.type === 'STARTED') return { callId: e.call_id, externalTaskId: e.task_id, kind: e.type, at };
  return {
    callId: e.call_id,
    externalTaskId: e.task_id,
    kind: e.type,
    at,
    durationSeconds: e.duration_seconds,
    outcome: e.outcome,
  };
}
