import { HttpStatusError } from './errors.js';

/**
 * POSTs `body` as JSON and returns the parsed JSON answer. Throws {@link HttpStatusError} for a non-2xx status,
 * a `SyntaxError` for a body that is not JSON, and whatever fetch throws for network failures and aborts.
 */
export async function postJson(url: string, body: unknown, signal: AbortSignal): Promise<unknown> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify(body),
    signal,
  });
  const text = await response.text();
  if (!response.ok) throw new HttpStatusError(response.status, text);
  return JSON.parse(text) as unknown;
}
