import { Pool } from 'undici';
import { HttpStatusError } from './errors.js';

/**
 * One endpoint of a service, POSTed JSON over a pool of keep-alive connections to its origin (undici's `Pool`).
 * A pool costs a fifth of `fetch`'s CPU per request (ADR 0053): at the analyser's rates the HTTP client was the
 * bottleneck. Close it when the service is no longer needed; idle connections also close by themselves.
 */
export class JsonEndpoint {
  readonly #pool: Pool;
  readonly #path: string;

  /**
   * @param baseUrl The service's URL (`services.<name>.url`); only its origin is used.
   * @param path The endpoint's absolute path (`/api/v2/records/search`).
   * @param connections Most connections to open: the service's `max-in-flight`, so no call waits for one.
   */
  constructor(baseUrl: string, path: string, connections: number) {
    const url = new URL(path, baseUrl);
    this.#pool = new Pool(url.origin, { connections });
    this.#path = `${url.pathname}${url.search}`;
  }

  /**
   * POSTs `body` as JSON and returns the parsed JSON answer. Throws {@link HttpStatusError} for a non-2xx status,
   * a `SyntaxError` for a body that is not JSON, and undici's errors (with a `code`) for network failures and
   * aborts.
   */
  async post(body: unknown, signal: AbortSignal): Promise<unknown> {
    const response = await this.#pool.request({
      method: 'POST',
      path: this.#path,
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(body),
      signal,
    });
    const text = await response.body.text();
    if (response.statusCode < 200 || response.statusCode > 299)
      throw new HttpStatusError(response.statusCode, text);
    return JSON.parse(text) as unknown;
  }

  /** Closes the connections once the calls in flight are answered. */
  close(): Promise<void> {
    return this.#pool.close();
  }
}
