/** A request to the runner that served the page failed; `status` is the HTTP status (0: no answer). */
export class RequestError extends Error {
  constructor(
    readonly url: string,
    readonly status: number,
    message: string,
  ) {
    super(`${url}: ${message}`);
    this.name = 'RequestError';
  }
}

/** GETs JSON from the runner that served the page (a relative URL), failing on a non-2xx answer. */
export async function fetchJson<T>(url: string, init?: RequestInit): Promise<T> {
  let response: Response;
  try {
    response = await fetch(url, { ...init, headers: { accept: 'application/json', ...init?.headers } });
  } catch (err) {
    throw new RequestError(url, 0, err instanceof Error ? err.message : String(err));
  }
  if (!response.ok) throw new RequestError(url, response.status, `HTTP ${response.status}`);
  return (await response.json()) as T;
}
