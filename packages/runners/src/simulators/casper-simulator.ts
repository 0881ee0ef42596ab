import { CASPER_SEARCH, type CasperSearchBody, requestJsonSchema } from '@tm/filters';
import type { FastifyInstance } from 'fastify';
import type { FaultControl } from './faults.js';
import { seededId, seededUnit } from './seeded.js';
import { createSimulatorServer } from './simulator-server.js';

/** Time zones of Casper's simulated clients with their share and region; mostly Moscow. */
export const CASPER_TIME_ZONES: ReadonlyArray<{ zone: string; region: string; share: number }> = [
  { zone: 'Europe/Moscow', region: 'Moscow', share: 0.7 },
  { zone: 'Europe/Samara', region: 'Samara Oblast', share: 0.05 },
  { zone: 'Asia/Yekaterinburg', region: 'Sverdlovsk Oblast', share: 0.08 },
  { zone: 'Asia/Novosibirsk', region: 'Novosibirsk Oblast', share: 0.07 },
  { zone: 'Asia/Krasnoyarsk', region: 'Krasnoyarsk Krai', share: 0.04 },
  { zone: 'Asia/Vladivostok', region: 'Primorsky Krai', share: 0.03 },
  { zone: 'Europe/Kaliningrad', region: 'Kaliningrad Oblast', share: 0.03 },
];

const searchSchema = { body: requestJsonSchema(CASPER_SEARCH) };

const ACTIVITY_EPOCH = Date.parse('2024-06-01T00:00:00Z');
const OPERATORS = ['MTS', 'Beeline', 'MegaFon', 'Tele2'];

/** The simulated Casper client record for a phone (snake_case, as the API answers), or null for an unknown one. */
export function casperClientFor(
  seed: string | number,
  unknownClientRate: number,
  body: CasperSearchBody,
): Record<string, unknown> | null {
  const { phone } = body;
  if (seededUnit(seed, 'casper-unknown', phone) < unknownClientRate) return null;
  const u = seededUnit(seed, 'casper-tz', phone);
  let cumulative = 0;
  const place =
    CASPER_TIME_ZONES.find((z) => {
      cumulative += z.share;
      return u < cumulative;
    }) ?? CASPER_TIME_ZONES[0];
  const segment = seededUnit(seed, 'casper-segment', phone);
  const daysAgo = Math.floor(seededUnit(seed, 'casper-activity', phone) * 365);
  return {
    client_id: `CSP-${seededId(seed, 'casper-id', phone)}`,
    time_zone: place?.zone,
    region: place?.region,
    segment: segment < 0.15 ? 'premium' : segment < 0.5 ? 'standard' : 'mass',
    active_loans: Math.floor(seededUnit(seed, 'casper-loans', phone) * 4),
    last_activity_at: new Date(ACTIVITY_EPOCH - daysAgo * 86_400_000).toISOString(),
    phone_operator: OPERATORS[Math.floor(seededUnit(seed, 'casper-operator', phone) * OPERATORS.length)],
    has_mobile_app: body.device_id != null,
    passport_on_file: body.passport?.number != null,
  };
}

/**
 * The Casper stand-in (thesis §2.3.2): `POST /api/casper/v1/clients/search` with phone, device id and passport
 * answers `{ client: {...} }`, a profile derived from the phone and the seed, or `{ client: null }` for the share
 * `unknownClientRate` of phones.
 */
export function createCasperSimulator(
  seed: string | number,
  unknownClientRate: number,
  faults: FaultControl,
): FastifyInstance {
  const app = createSimulatorServer();
  faults.install(app);
  app.post<{ Body: CasperSearchBody }>(CASPER_SEARCH.path, { schema: searchSchema }, async (request) => ({
    client: casperClientFor(seed, unknownClientRate, request.body),
  }));
  return app;
}
