import type { CasperProfile, ServiceClientConfig } from '@tm/contracts';
import { CASPER_SEARCH, type CasperSearchBody } from './http-contracts.js';
import { JsonEndpoint } from './json-endpoint.js';
import { passportBody } from './passport-body.js';
import { createServicePolicy, type ServicePolicy } from './resilience.js';
import type { CasperQuery, CasperService } from './types.js';

/** Casper's client search path (our design; packages/filters/README.md). */
export const CASPER_SEARCH_PATH = CASPER_SEARCH.path;

const KNOWN = ['client_id', 'time_zone', 'region', 'segment', 'active_loans', 'last_activity_at'] as const;

function flatten(value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

const SearchAnswer = CASPER_SEARCH.response.transform(({ client }): CasperProfile | null => {
  if (client === null) return null;
  const attributes: Record<string, string> = {};
  for (const [key, value] of Object.entries(client)) {
    const text = (KNOWN as readonly string[]).includes(key) ? undefined : flatten(value);
    if (text !== undefined) attributes[key] = text;
  }
  return {
    clientId: client.client_id ?? null,
    timeZone: client.time_zone ?? null,
    region: client.region ?? null,
    segment: client.segment ?? null,
    activeLoans: client.active_loans ?? 0,
    lastActivityAt: client.last_activity_at ? Date.parse(client.last_activity_at) : null,
    attributes,
  };
});

/** The Casper client: one search per call, answering the client's profile or null when Casper does not know them. */
export class CasperClient implements CasperService {
  readonly policy: ServicePolicy;
  readonly #endpoint: JsonEndpoint;

  constructor(config: ServiceClientConfig) {
    this.policy = createServicePolicy('casper', config);
    this.#endpoint = new JsonEndpoint(config.url, CASPER_SEARCH_PATH, config.concurrency.maxInFlight);
  }

  findClient(query: CasperQuery): Promise<CasperProfile | null> {
    const body: CasperSearchBody = {
      phone: query.phone,
      device_id: query.deviceId,
      passport: passportBody(query.passportSeries, query.passportNumber),
    };
    return this.policy.execute('clients/search', async (signal) =>
      SearchAnswer.parse(await this.#endpoint.post(body, signal)),
    );
  }

  /** Closes the client's connections (after the calls in flight are answered). */
  close(): Promise<void> {
    return this.#endpoint.close();
  }
}
