import type { BlacklistClientConfig } from '@tm/contracts';
import DataLoader from 'dataloader';
import { BLACKLIST_SEARCH, type BlacklistSearchBody } from './http-contracts.js';
import { JsonEndpoint } from './json-endpoint.js';
import { createServicePolicy, type ServicePolicy } from './resilience.js';
import type { BlacklistRecord, BlacklistService, BlacklistSubject } from './types.js';

/** BlackList's search path (thesis figure 14). */
export const BLACKLIST_SEARCH_PATH = BLACKLIST_SEARCH.path;

const SearchAnswer = BLACKLIST_SEARCH.response
  .transform((answer) => (Array.isArray(answer) ? answer : answer.records))
  .transform((records) =>
    records.map(
      (r): BlacklistRecord => ({
        id: String(r.id),
        phone: r.phone ?? null,
        deviceId: r.device_id ?? null,
        reason: r.reason ?? null,
      }),
    ),
  );

/** The `$or` query of thesis figure 15 for many subjects at once: each distinct phone and device id once. */
export function searchQuery(subjects: readonly BlacklistSubject[]): BlacklistSearchBody {
  const phones = new Set(subjects.map((s) => s.phone));
  const devices = new Set(subjects.flatMap((s) => (s.deviceId ? [s.deviceId] : [])));
  return {
    query: {
      $or: [...[...phones].map((phone) => ({ phone })), ...[...devices].map((id) => ({ device_id: id }))],
    },
  };
}

/** The records that concern one subject: same phone, or same device id when it has one. */
export function recordsFor(
  subject: BlacklistSubject,
  records: readonly BlacklistRecord[],
): BlacklistRecord[] {
  return records.filter(
    (r) => r.phone === subject.phone || (subject.deviceId !== null && r.deviceId === subject.deviceId),
  );
}

/**
 * The BlackList client. {@link BlacklistClient.search} batches: lookups made within `batch.window-ms` of the first
 * (up to `batch.max-size` subjects) go out as one `$or` search, and the answer is split back per subject. If that
 * one request fails, every lookup in the batch fails with the same {@link ServiceError}.
 */
export class BlacklistClient implements BlacklistService {
  readonly policy: ServicePolicy;
  readonly #endpoint: JsonEndpoint;
  readonly #loader: DataLoader<BlacklistSubject, BlacklistRecord[], string>;

  constructor(config: BlacklistClientConfig) {
    this.policy = createServicePolicy('blacklist', config);
    this.#endpoint = new JsonEndpoint(config.url, BLACKLIST_SEARCH_PATH, config.concurrency.maxInFlight);
    const { windowMs, maxSize } = config.batch;
    this.#loader = new DataLoader(
      async (subjects) => {
        const records = await this.searchAll(subjects);
        return subjects.map((subject) => recordsFor(subject, records));
      },
      {
        cache: false,
        maxBatchSize: maxSize,
        ...(windowMs > 0 ? { batchScheduleFn: (run: () => void) => setTimeout(run, windowMs) } : {}),
      },
    );
  }

  /** Records matching the subject's phone or device id; empty when it is not blacklisted. Batched. */
  search(subject: BlacklistSubject): Promise<BlacklistRecord[]> {
    return this.#loader.load(subject);
  }

  /** One search request for all `subjects` (no batching window); the records matching any of them. */
  searchAll(subjects: readonly BlacklistSubject[]): Promise<BlacklistRecord[]> {
    const body = searchQuery(subjects);
    return this.policy.execute('search', async (signal) =>
      SearchAnswer.parse(await this.#endpoint.post(body, signal)),
    );
  }

  /** Closes the client's connections (after the calls in flight are answered). */
  close(): Promise<void> {
    return this.#endpoint.close();
  }
}
