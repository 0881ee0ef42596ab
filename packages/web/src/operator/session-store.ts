import type { OperatorStatus } from './arm-api.js';

/**
 * What the page keeps across a reload of its tab: the bearer token, the login it belongs to and the last
 * ready/break status chosen (the ARM has no call to read it back). sessionStorage: one tab's, gone when the tab
 * closes; never the phone numbers or anything of a client.
 */
export interface StoredSession {
  token: string;
  login: string;
  status: OperatorStatus;
}

const KEY = 'tm.operator.session';

export function loadSession(): StoredSession | undefined {
  try {
    const text = sessionStorage.getItem(KEY);
    const value = text ? (JSON.parse(text) as Partial<StoredSession>) : undefined;
    if (typeof value?.token !== 'string' || typeof value.login !== 'string') return undefined;
    return { token: value.token, login: value.login, status: value.status === 'BREAK' ? 'BREAK' : 'READY' };
  } catch {
    return undefined;
  }
}

export function saveSession(session: StoredSession | undefined): void {
  if (session) sessionStorage.setItem(KEY, JSON.stringify(session));
  else sessionStorage.removeItem(KEY);
}
