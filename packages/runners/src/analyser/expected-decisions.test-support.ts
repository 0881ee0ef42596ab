/**
 * What the analyser must decide, computed independently of @tm/filters (which this file must not import): from the
 * campaigns' settings as written in the config, the rules documented for each filter (packages/filters/README.md,
 * ADRs 0020-0022) and the simulators' documented deterministic answers (ADR 0024). Integration tests compare the
 * analyser's output with this.
 */
import { createHash } from 'node:crypto';
import type { Application, CampaignConfig } from '@tm/contracts';

/** How the simulators answer: their seed and rates, and the blacklist they were started with. */
export interface SimulatorRules {
  readonly seed: string | number;
  readonly mlFailRate: number;
  readonly mlErrorRate: number;
  readonly noProductsRate: number;
  readonly unknownClientRate: number;
  readonly blacklist: readonly { readonly phone: string | null; readonly deviceId: string | null }[];
}

/** One campaign's decision about one application, as the output topics must show it. */
export type ExpectedDecision =
  | {
      readonly campaignId: number;
      readonly kind: 'candidate';
      readonly casperKnown: boolean;
      readonly products: number;
    }
  | { readonly campaignId: number; readonly kind: 'rejection'; readonly filter: string };

/** Which services the application needs an answer from (each asked once, whatever the number of campaigns). */
export interface ExpectedAsks {
  blacklist: boolean;
  casper: boolean;
  abram: boolean;
}

/** ADR 0024: the first four bytes of SHA-256(`seed:part:part...`), big-endian, over 2^32. */
function unit(seed: string | number, ...parts: (string | number)[]): number {
  return (
    createHash('sha256')
      .update([seed, ...parts].join(':'))
      .digest()
      .readUInt32BE(0) /
    2 ** 32
  );
}

const LOCAL_FILTER_KEYS: Readonly<Record<string, readonly string[]>> = {
  RESIDENCE: ['citizenship-unavailable-countries', 'citizenship-required'],
  AGE: ['min-age', 'max-age'],
  PHONE_TEMPLATES: ['phone-templates'],
  GRACE_PERIOD: ['min-grace-period', 'max-grace-period'],
};
const SERVICE_FILTERS = [
  'PHONE_BLACK_LIST',
  'ML_DEVICE',
  'ML_PHONE',
  'ML_FACE',
  'ML_DOCUMENT',
  'PRODUCTS_AVAILABLE',
];

/** ADR 0020: listed filters in order, and unlisted local filters whose keys are set just before the first service one. */
export function cascadeOrder(campaign: CampaignConfig): string[] {
  const listed = [...campaign.filtersOrder];
  const implicit = Object.entries(LOCAL_FILTER_KEYS)
    .filter(([name, keys]) => !listed.includes(name) && keys.some((k) => k in campaign.settings))
    .map(([name]) => name);
  const firstService = listed.findIndex((name) => SERVICE_FILTERS.includes(name));
  const at = firstService === -1 ? listed.length : firstService;
  return [...listed.slice(0, at), ...implicit, ...listed.slice(at)];
}

const list = (value: unknown): string[] =>
  (Array.isArray(value) ? value.map(String) : String(value ?? '').split(','))
    .map((s) => s.trim())
    .filter(Boolean);

/** A grace bound as the README writes it: a bare number of days, or "N days" / "N months" (a month is 30 days). */
function graceBound(value: unknown, absent: number): number {
  if (value === undefined) return absent;
  if (typeof value === 'number') return value;
  const [, count, unitName] = /^(\d+)\s*(day|days|month|months)$/i.exec(String(value).trim()) ?? [];
  if (count === undefined) throw new Error(`not a grace bound: ${String(value)}`);
  return unitName?.toLowerCase().startsWith('month') ? Number(count) * 30 : Number(count);
}

/** Full years on the Moscow (UTC+3) calendar day of `createdAt`; 29 February birthdays fall on 28 February. */
function ageAt(birthDays: number, createdAt: number): number {
  const today = new Date(createdAt + 3 * 3_600_000);
  const birth = new Date(birthDays * 86_400_000);
  const year = today.getUTCFullYear();
  const lastDay = new Date(Date.UTC(year, birth.getUTCMonth() + 1, 0)).getUTCDate();
  const birthday = Date.UTC(year, birth.getUTCMonth(), Math.min(birth.getUTCDate(), lastDay));
  const day = Date.UTC(year, today.getUTCMonth(), today.getUTCDate());
  return year - birth.getUTCFullYear() - (day < birthday ? 1 : 0);
}

const present = (s: string | null): boolean => s !== null && s.trim() !== '';

/** The subject Abram's check looks at, or null when the application lacks it (then the filter asks nothing). */
function mlSubject(filter: string, app: Application): string | null {
  switch (filter) {
    case 'ML_DEVICE':
      return present(app.deviceId) ? app.deviceId : null;
    case 'ML_PHONE':
      return app.phone;
    case 'ML_FACE':
      return present(app.faceId) ? app.faceId : null;
    default:
      return present(app.passportSeries) && present(app.passportNumber)
        ? `${app.passportSeries}${app.passportNumber}`
        : null;
  }
}

/**
 * Every campaign's decision about `app`, in campaign order, and the services it needs: a filter that fails stops
 * the campaign's cascade; a candidate is enriched with Casper's profile and Abram's products.
 */
export function expectedDecisions(
  app: Application,
  campaigns: readonly CampaignConfig[],
  sim: SimulatorRules,
): { decisions: ExpectedDecision[]; asks: ExpectedAsks } {
  const asks: ExpectedAsks = { blacklist: false, casper: false, abram: false };
  const noProducts = unit(sim.seed, 'abram-products', app.phone) < sim.noProductsRate;

  /** Whether `filter` passes; records the services it asks. */
  const passes = (filter: string, campaign: CampaignConfig): boolean => {
    const s = campaign.settings;
    switch (filter) {
      case 'RESIDENCE': {
        const citizenship = app.citizenship?.trim().toUpperCase() || null;
        if (citizenship === null) return s['citizenship-required'] !== true;
        return !list(s['citizenship-unavailable-countries'])
          .map((c) => c.toUpperCase())
          .includes(citizenship);
      }
      case 'AGE': {
        if (app.birthDate === null) return false;
        const age = ageAt(app.birthDate, app.createdAt);
        return age >= Number(s['min-age']) && (s['max-age'] === undefined || age <= Number(s['max-age']));
      }
      case 'PHONE_TEMPLATES':
        return list(s['phone-templates']).some((t) => new RegExp(`^(?:${t})$`).test(app.phone));
      case 'GRACE_PERIOD': {
        if (app.grace === null) return false;
        if (app.graceUnit === null && app.grace !== 0) return false;
        const days = app.graceUnit === 'month' ? app.grace * 30 : app.grace;
        return (
          days >= graceBound(s['min-grace-period'], 0) && days <= graceBound(s['max-grace-period'], Infinity)
        );
      }
      case 'PHONE_BLACK_LIST':
        asks.blacklist = true;
        return !sim.blacklist.some(
          (e) => e.phone === app.phone || (app.deviceId !== null && e.deviceId === app.deviceId),
        );
      case 'PRODUCTS_AVAILABLE':
        asks.abram = true;
        return !noProducts;
      default: {
        const subject = mlSubject(filter, app);
        if (subject === null) return false;
        asks.abram = true;
        const u = unit(sim.seed, `ml-${filter.slice(3).toLowerCase()}`, subject);
        if (u < sim.mlErrorRate) return campaign.mlSkipError;
        return u >= sim.mlErrorRate + sim.mlFailRate;
      }
    }
  };

  const decisions = campaigns.map((campaign): ExpectedDecision => {
    const { campaignId } = campaign;
    if (!campaign.dataStreams.includes(app.dataStream))
      return { campaignId, kind: 'rejection', filter: 'DATA_STREAM' };
    if (!(campaign.requestStatuses as readonly string[]).includes(app.applicationStatus)) {
      return { campaignId, kind: 'rejection', filter: 'REQUEST_STATUS' };
    }
    for (const filter of cascadeOrder(campaign)) {
      if (!passes(filter, campaign)) return { campaignId, kind: 'rejection', filter };
    }
    const enriched = campaign.settings['casper-enrichment'] !== false;
    asks.casper ||= enriched;
    asks.abram = true;
    const products = noProducts ? 0 : app.clientType === 'repeater' ? 2 : 1;
    const casperKnown = enriched && unit(sim.seed, 'casper-unknown', app.phone) >= sim.unknownClientRate;
    return { campaignId, kind: 'candidate', casperKnown, products };
  });
  return { decisions, asks };
}
