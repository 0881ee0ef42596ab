import { DependencyUnavailableError } from '@tm/pipeline-core';
import { Pool } from 'undici';
import type {
  AccessOutcome,
  LoginOutcome,
  LogoutOutcome,
  SecurityService,
} from '../security/security-service.js';

/**
 * What the ARM asks the security service: the three operations of thesis §2.6.4. Two adapters: {@link HttpSecurity}
 * (`tm run arm` against `tm run security`) and {@link inProcessSecurity} (the embedded demo). Both reject with a
 * {@link DependencyUnavailableError} when the service cannot answer, so the ARM answers 503, never "denied".
 */
export interface SecurityPort {
  login(request: { login: string; password: string; clientAddress: string }): Promise<LoginOutcome>;
  logout(token: string): Promise<LogoutOutcome>;
  checkAccess(token: string, updateExpire: boolean): Promise<AccessOutcome>;
  /** Resolves when the service answers (readiness). */
  ping(): Promise<void>;
  /** Lets go of connections, if any. */
  close?(): Promise<void>;
}

/** The security service in this process, called directly. */
export function inProcessSecurity(service: SecurityService): SecurityPort {
  const guard =
    <A extends unknown[], R>(call: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      try {
        return await call(...args);
      } catch (error) {
        throw new DependencyUnavailableError('security', error);
      }
    };
  return {
    login: guard((request) => service.login(request)),
    logout: guard((token) => service.logout(token)),
    checkAccess: guard((token, updateExpire) => service.checkAccess(token, updateExpire)),
    ping: async () => {},
  };
}

interface Envelope {
  result?: { code?: string };
  data?: { token?: string; operatorId?: number };
  /** Retry-After of a 429, in ms. */
  retryAfterMs?: number;
}

/**
 * The security service over HTTP: a pool of keep-alive connections to its origin (undici's `Pool`, a fifth of
 * `fetch`'s CPU per request, ADR 0053 — every ARM request makes one call), each call bounded by `timeoutMs`. The
 * login forwards the operator's address in X-Forwarded-For, which the service believes from its trusted proxies,
 * so the per-address limit counts operators rather than the ARM.
 */
export class HttpSecurity implements SecurityPort {
  readonly #pool: Pool;

  constructor(
    baseUrl: string,
    private readonly timeoutMs = 2000,
    connections = 64,
  ) {
    this.#pool = new Pool(new URL(baseUrl).origin, { connections });
  }

  async #post(path: string, body: unknown, headers: Record<string, string> = {}): Promise<Envelope> {
    let status: number;
    let envelope: Envelope;
    let retryAfter: number;
    // A timer cleared once answered, not AbortSignal.timeout(): that one's timer fires (and builds a DOMException)
    // `timeoutMs` after every call, answered or not, and the access cache's refreshes make 200 calls a second.
    const abort = new AbortController();
    const timer = setTimeout(
      () => abort.abort(new Error(`no answer within ${this.timeoutMs} ms`)),
      this.timeoutMs,
    );
    try {
      const response = await this.#pool.request({
        method: 'POST',
        path,
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
        signal: abort.signal,
      });
      status = response.statusCode;
      retryAfter = Number(response.headers['retry-after']);
      envelope = (await response.body.json().catch(() => ({}))) as Envelope;
    } catch (error) {
      throw new DependencyUnavailableError('security', error);
    } finally {
      clearTimeout(timer);
    }
    if (status === 429 && retryAfter > 0) envelope.retryAfterMs = retryAfter * 1000;
    // 429 carries a code; every other non-200 means the service could not decide.
    if (status !== 200 && status !== 429) {
      throw new DependencyUnavailableError('security', new Error(`HTTP ${status} from ${path}`));
    }
    return envelope;
  }

  /** Closes the connections. */
  async close(): Promise<void> {
    await this.#pool.close();
  }

  async login(request: { login: string; password: string; clientAddress: string }): Promise<LoginOutcome> {
    const answer = await this.#post(
      '/api/security/v1/login',
      { login: request.login, password: request.password },
      { 'x-forwarded-for': request.clientAddress },
    );
    const code = answer.result?.code;
    if (code === 'OK' && answer.data?.token && answer.data.operatorId !== undefined) {
      return { code, token: answer.data.token, operatorId: answer.data.operatorId, expiresAt: new Date(0) };
    }
    if (code === 'TOO_MANY_ATTEMPTS') return { code, retryAfterMs: answer.retryAfterMs ?? 60_000 };
    if (code === 'OPERATOR_LOCKED') return { code };
    return { code: 'INVALID_CREDENTIALS' };
  }

  async logout(token: string): Promise<LogoutOutcome> {
    const answer = await this.#post('/api/security/v1/logout', { token });
    return answer.result?.code === 'OK' ? { code: 'OK' } : { code: 'ACCESS_DENIED' };
  }

  async checkAccess(token: string, updateExpire: boolean): Promise<AccessOutcome> {
    const answer = await this.#post('/api/security/v1/checkAccess', { token, updateExpire });
    const code = answer.result?.code;
    const operatorId = answer.data?.operatorId;
    if (
      operatorId !== undefined &&
      (code === 'OK' || code === 'TOKEN_EXPIRED' || code === 'OPERATOR_LOCKED')
    ) {
      return { code, operatorId };
    }
    return { code: 'ACCESS_DENIED' };
  }

  async ping(): Promise<void> {
    // A check of a token that cannot exist: any answer in the envelope means the service and its database work.
    await this.checkAccess('ping', false);
  }
}
