/**
 * The ARM API (`tm run arm`, /api/arm/v1) as the operator page calls it. The DTO types are the ARM's own TypeBox
 * schemas (packages/runners/src/arm/schemas.ts), imported as types only: esbuild erases the import, so the bundle
 * holds none of the server's code, and a change to a DTO fails `pnpm typecheck` here (ADR 0115).
 */
import type {
  CallClientResponse,
  Changes,
  ClientCardResponse,
  CommunicationListItem,
  CommunicationListResponse,
  CommunicationResultDto,
  DictionariesResponse,
  GetClientCardResponse,
  HasChangesResponse,
  LoginRequest,
  LoginResponse,
  SetStatusRequest,
  StatusResponse,
} from '../../../runners/src/arm/schemas.js';
import { RequestError } from '../shared/fetch-json.js';

export type {
  Changes,
  ClientCard,
  ClientCardResponse,
  Communication,
  CommunicationListItem,
  Dictionary,
  Product,
} from '../../../runners/src/arm/schemas.js';
export type CommunicationResult = CommunicationResultDto;
export type OperatorStatus = SetStatusRequest['status'];
export type Dictionaries = NonNullable<DictionariesResponse['data']>;

/**
 * The ARM refused a request: `httpStatus` and the envelope's `status` (ADR 0090: ACCESS_DENIED, INVALID_CREDENTIALS,
 * OPERATOR_LOCKED, NOT_FOUND, ALREADY_FIXED, TOO_MANY_ATTEMPTS, TOO_MANY_REQUESTS, BAD_REQUEST, SERVICE_UNAVAILABLE,
 * …); `retryAfterSeconds` from Retry-After on a 429. `httpStatus` 0: no answer at all.
 */
export class ArmError extends RequestError {
  constructor(
    url: string,
    httpStatus: number,
    readonly code: string,
    readonly description: string | undefined,
    readonly retryAfterSeconds: number | undefined,
  ) {
    super(url, httpStatus, `${code}${description ? `: ${description}` : ''}`);
    this.name = 'ArmError';
  }

  /** The token is not (or no longer) valid: the operator must log in again. */
  get loggedOut(): boolean {
    return this.status === 401 && this.code === 'ACCESS_DENIED';
  }
}

/** The API lives beside the page: `<page's folder>/api/arm/v1/`, whatever path the ARM serves the page under. */
const apiUrl = (path: string) => `${new URL('api/arm/v1/', window.location.href).pathname}${path}`;

async function request<T extends StatusResponse>(
  path: string,
  init: { token?: string; method?: 'GET' | 'POST'; body?: unknown } = {},
): Promise<T> {
  const url = apiUrl(path);
  const headers: Record<string, string> = { accept: 'application/json' };
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(url, {
      method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
      headers,
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    });
  } catch (err) {
    throw new ArmError(url, 0, 'NO_ANSWER', err instanceof Error ? err.message : String(err), undefined);
  }
  const body = (await response.json().catch(() => ({ status: 'INTERNAL_ERROR' }))) as T;
  if (!response.ok || body.status !== 'OK') {
    const retryAfter = Number(response.headers.get('retry-after'));
    throw new ArmError(
      url,
      response.status,
      body.status,
      body.description,
      Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined,
    );
  }
  return body;
}

/** Logs in (Appendix Д); resolves with the bearer token of every other call. */
export async function login(credentials: LoginRequest): Promise<string> {
  const body = await request<LoginResponse>('login', { body: credentials });
  if (!body.data) throw new ArmError(apiUrl('login'), 200, 'INTERNAL_ERROR', 'no token', undefined);
  return body.data.token;
}

/** The ARM's calls for one logged-in operator. */
export interface ArmClient {
  /** Appendix Ж: pending changes, and how long to wait before asking again. */
  hasChanges(): Promise<Changes>;
  /** Appendix Е: the rework list (the operator's DRAFT communications). */
  listCommunications(): Promise<CommunicationListItem[]>;
  /** Appendix З: the current call's card; undefined when there is no current call. */
  getClientCard(): Promise<ClientCardResponse | undefined>;
  /** Appendix Л: a card of one of the operator's communications (a rework card). */
  getClientCardByCommunicationId(communicationId: number): Promise<ClientCardResponse>;
  /** Appendix И: saves what the form holds as a draft; the card goes to the rework list. */
  saveCommunicationDraft(communicationId: number, result: CommunicationResult): Promise<void>;
  /** Appendix К: saves the result; the communication is FIXED. */
  saveCommunicationResult(communicationId: number, result: CommunicationResult): Promise<void>;
  /** Ready for calls, or on a break (ADR 0096). */
  setStatus(status: OperatorStatus): Promise<void>;
  /** Click-to-call (ADR 0097): the dialer calls the client and connects the operator. */
  callClient(communicationId: number): Promise<void>;
  /** The result form's dropdowns. */
  getDictionaries(): Promise<Dictionaries>;
  /** Appendix М. */
  logout(): Promise<void>;
}

/** The {@link ArmClient} of `token`. */
export function armClient(token: string): ArmClient {
  const get = <T extends StatusResponse>(path: string) => request<T>(path, { token });
  const post = <T extends StatusResponse>(path: string, body: unknown) => request<T>(path, { token, body });
  const card = (answer: GetClientCardResponse): ClientCardResponse => {
    if (!answer.data)
      throw new ArmError(apiUrl('getClientCard'), 200, 'INTERNAL_ERROR', 'no card', undefined);
    return answer.data;
  };
  return {
    async hasChanges() {
      const body = await get<HasChangesResponse>('hasChanges');
      return body.data ?? { hasChanges: false };
    },
    async listCommunications() {
      const body = await get<CommunicationListResponse>('listCommunications');
      return body.data?.communications ?? [];
    },
    async getClientCard() {
      try {
        return card(await get<GetClientCardResponse>('getClientCard'));
      } catch (err) {
        if (err instanceof ArmError && err.code === 'NOT_FOUND') return undefined;
        throw err;
      }
    },
    async getClientCardByCommunicationId(communicationId) {
      return card(await post<GetClientCardResponse>('getClientCardByCommunicationId', { communicationId }));
    },
    async saveCommunicationDraft(communicationId, communicationResult) {
      await post('saveCommunicationDraft', { communicationId, communicationResult });
    },
    async saveCommunicationResult(communicationId, communicationResult) {
      await post('saveCommunicationResult', { communicationId, communicationResult });
    },
    async setStatus(status) {
      await post('setStatus', { status } satisfies SetStatusRequest);
    },
    async callClient(communicationId) {
      await post<CallClientResponse>('callClient', { communicationId });
    },
    async getDictionaries() {
      const body = await get<DictionariesResponse>('getDictionaries');
      return body.data ?? { results: [], reasons: [] };
    },
    async logout() {
      await get('logout');
    },
  };
}
