import { SchemaRegistryError } from '../errors.js';

export interface SchemaRegistryClientOptions {
  /**
   * The registry's base URL: `http://host:8081` for Confluent's, `http://host:8080/apis/ccompat/v7` for Apicurio's
   * Confluent-compatible API. Credentials in it (`http://user:password@host`) are sent as HTTP basic auth.
   */
  url: string;
  /** How long one request may take before it counts as a failed, retriable attempt (default 10,000 ms). */
  timeoutMs?: number;
}

const MEDIA_TYPE = 'application/vnd.schemaregistry.v1+json';
/** HTTP statuses after which the same request may succeed later. */
const RETRIABLE_STATUSES = new Set([408, 425, 429]);

/**
 * The two calls of Confluent's Schema Registry REST API a serde needs — register a schema under a subject, and
 * fetch a schema by id — over Node's fetch, each with a timeout. Every failure is a {@link SchemaRegistryError}
 * that tells a registry that could not be reached or did not answer (retriable) from one that answered no: the
 * distinction a consumer needs to wait out an outage without dead-lettering good records (ADR 0123). It does not
 * retry; callers choose their policy.
 */
export class SchemaRegistryClient {
  /** The base URL without credentials, for messages. */
  readonly url: string;
  readonly #base: string;
  readonly #headers: Record<string, string>;
  readonly #timeoutMs: number;

  constructor(options: SchemaRegistryClientOptions) {
    const url = new URL(options.url);
    this.#headers = { accept: `${MEDIA_TYPE}, application/json` };
    if (url.username || url.password) {
      const credentials = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
      this.#headers.authorization = `Basic ${Buffer.from(credentials).toString('base64')}`;
      url.username = '';
      url.password = '';
    }
    this.#base = url.href.replace(/\/+$/, '');
    this.url = this.#base;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
  }

  /**
   * Registers an Avro schema under `subject` (`POST /subjects/{subject}/versions`) and returns its id. Registering
   * a schema the subject already has returns the existing id; the registry checks compatibility with the
   * subject's earlier versions under the subject's compatibility level.
   */
  async register(subject: string, schema: string): Promise<number> {
    const answer = await this.#request('POST', `/subjects/${encodeURIComponent(subject)}/versions`, {
      schema,
    });
    return this.#field(answer, 'id', 'number', `POST /subjects/${subject}/versions`);
  }

  /**
   * The schema registered with `id` (`GET /schemas/ids/{id}`): its text and type (`AVRO` when the registry leaves
   * the type out, as Confluent's does for Avro).
   */
  async schemaById(id: number): Promise<{ schema: string; schemaType: string }> {
    const request = `GET /schemas/ids/${id}`;
    const answer = await this.#request('GET', `/schemas/ids/${id}`);
    const schema = this.#field(answer, 'schema', 'string', request);
    const type = (answer as { schemaType?: unknown }).schemaType;
    return { schema, schemaType: typeof type === 'string' ? type : 'AVRO' };
  }

  async #request(method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> {
    const request = `${method} ${path}`;
    let response: Response;
    let text: string;
    try {
      response = await fetch(this.#base + path, {
        method,
        headers: body === undefined ? this.#headers : { ...this.#headers, 'content-type': MEDIA_TYPE },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
      text = await response.text();
    } catch (err) {
      throw new SchemaRegistryError(request, unreachable(err, this.#timeoutMs, this.url), {
        retriable: true,
        cause: err,
      });
    }
    const answer = parseJson(text);
    if (response.ok) {
      if (answer === undefined) {
        throw new SchemaRegistryError(request, `answered ${response.status} with a body that is not JSON`, {
          status: response.status,
          retriable: false,
        });
      }
      return answer;
    }
    const { error_code: errorCode, message } = (answer ?? {}) as { error_code?: unknown; message?: unknown };
    throw new SchemaRegistryError(
      request,
      `answered ${response.status}${typeof message === 'string' ? `: ${message}` : ''}`,
      {
        status: response.status,
        ...(typeof errorCode === 'number' ? { errorCode } : {}),
        retriable: response.status >= 500 || RETRIABLE_STATUSES.has(response.status),
      },
    );
  }

  #field<K extends string, V extends 'number' | 'string'>(
    answer: unknown,
    key: K,
    kind: V,
    request: string,
  ): V extends 'number' ? number : string {
    const value = (answer as Record<string, unknown> | null)?.[key];
    if (typeof value !== kind) {
      throw new SchemaRegistryError(request, `answer has no ${kind} "${key}"`, { retriable: false });
    }
    return value as V extends 'number' ? number : string;
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Why a request got no answer: a timeout, or the connection's own error code (ECONNREFUSED, ECONNRESET...). */
function unreachable(err: unknown, timeoutMs: number, url: string): string {
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) {
    return `no answer from ${url} within ${timeoutMs} ms`;
  }
  const cause =
    err instanceof Error ? (err.cause as { code?: unknown; message?: unknown } | undefined) : undefined;
  const detail = typeof cause?.code === 'string' ? cause.code : (cause?.message ?? String(err));
  return `${url} unreachable (${String(detail)})`;
}
