import { BLACKLIST_SEARCH, type BlacklistSearchBody, requestJsonSchema } from '@tm/filters';
import type { FastifyInstance } from 'fastify';
import type { BlacklistEntry } from './blacklist-file.js';
import type { FaultControl } from './faults.js';
import { createSimulatorServer } from './simulator-server.js';

type Term = { phone: string } | { device_id: string };

const searchSchema = { body: requestJsonSchema(BLACKLIST_SEARCH) };

/**
 * The BlackList stand-in (thesis §2.3.1): `POST /api/v2/records/search` with the `$or` query of figure 15 (any
 * number of `{phone}` / `{device_id}` terms; a bare `{phone}` or `{device_id}` query works too) answers
 * `{ records: [...] }`, every record of `entries` that matches some term, each once.
 */
export function createBlacklistSimulator(
  entries: readonly BlacklistEntry[],
  faults: FaultControl,
): FastifyInstance {
  const byPhone = new Map<string, BlacklistEntry[]>();
  const byDevice = new Map<string, BlacklistEntry[]>();
  const add = (index: Map<string, BlacklistEntry[]>, key: string, entry: BlacklistEntry) =>
    index.set(key, [...(index.get(key) ?? []), entry]);
  for (const entry of entries) {
    if (entry.phone !== null) add(byPhone, entry.phone, entry);
    if (entry.deviceId !== null) add(byDevice, entry.deviceId, entry);
  }

  const app = createSimulatorServer({ bodyLimit: 4 * 1024 * 1024 });
  faults.install(app);
  app.post<{ Body: BlacklistSearchBody }>(
    BLACKLIST_SEARCH.path,
    { schema: searchSchema },
    async (request) => {
      const { query } = request.body;
      const terms: Term[] = [...(query.$or ?? [])];
      if (query.phone !== undefined) terms.push({ phone: query.phone });
      if (query.device_id !== undefined) terms.push({ device_id: query.device_id });
      const found = new Set<BlacklistEntry>();
      for (const t of terms) {
        const hits = 'phone' in t ? byPhone.get(t.phone) : byDevice.get(t.device_id);
        for (const hit of hits ?? []) found.add(hit);
      }
      return {
        records: [...found].map((e) => ({
          id: e.id,
          phone: e.phone,
          device_id: e.deviceId,
          reason: e.reason,
        })),
      };
    },
  );
  return app;
}
