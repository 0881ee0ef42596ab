import { z } from 'zod';
import { millis } from './common.js';

/**
 * `arm`: the operator workstation API (tm-arm, thesis §2.6.5, Appendices Д–М). Owned by @tm/runners. The 60-second
 * rule, the poll hint, masking, sessions and the result dictionaries the operator's form offers (ADRs 0090–0097).
 */
const port = z.number().int().min(0).max(65_535);

/** A dictionary entry: the stored key and the label the operator sees. */
const DictionaryEntrySchema = z
  .object({ key: z.string().min(1).max(64), label: z.string().min(1).max(128) })
  .strict();

const CampaignDisplaySchema = z
  .object({
    'campaign-id': z.number().int().positive(),
    /** Campaign.displayName of the card (Appendix З: at most 32 characters). */
    'display-name': z.string().min(1).max(32),
    /** Campaign.description: a short hint how to sell (at most 32 characters). */
    description: z.string().max(32).optional(),
  })
  .strict()
  .transform((c) => ({
    campaignId: c['campaign-id'],
    displayName: c['display-name'],
    description: c.description,
  }));

export const ArmSchema = z
  .object({
    host: z.string().min(1).default('127.0.0.1'),
    port: port.default(7202),
    /** The security service the ARM checks every request with (`tm run security`). */
    'security-url': z.url().default('http://127.0.0.1:7201'),
    /** How long a call to the security service may take before the ARM answers 503. */
    'security-timeout-ms': millis.min(100).default(2000),
    /** Consumer group of the ARM's tm-call-events stage. */
    'consumer-group': z.string().min(1).default('tm-arm'),
    /** Show phones as +7 (***) ***-67-89 in every list and card (seed 003); false shows all 11 digits. */
    'mask-phones': z.boolean().default(true),
    /** Thesis §2.6.5: seconds the operator has to save the result after an answered call ended. */
    'result-window-seconds': z.number().int().positive().default(60),
    /** How often the server looks for results not saved in time (and saves a DRAFT for them). */
    'result-sweep-interval-ms': millis.min(50).default(1000),
    /** Told to the client in hasChanges: how often to poll. */
    'poll-interval-ms': millis.min(100).default(1000),
    session: z
      .object({
        /** A session whose operator made no request for this long is closed (CLOSE, reason IDLE). */
        'idle-close-seconds': z.number().int().positive().default(120),
        /** How often idle sessions are looked for. */
        'reap-interval-ms': millis.min(100).default(5000),
      })
      .strict()
      .prefault({}),
    /** Most past communications of the client on a card. */
    'history-limit': z.number().int().positive().max(500).default(20),
    /** Most communications in the rework list (listCommunications). */
    'rework-list-limit': z.number().int().positive().max(1000).default(100),
    /** Shortest time between two click-to-call requests of one operator. */
    'callback-min-interval-ms': millis.default(10_000),
    /** Largest request body accepted (413 above it). */
    'body-limit-bytes': z.number().int().min(1024).default(16_384),
    /**
     * What the ARM serves at `/`: empty (the default) is the operator page built by `pnpm build` (packages/web);
     * a directory (relative to the working directory of the process) serves its files instead (ADR 0117).
     */
    'static-root': z.string().default(''),
    /** How long a card event may wait for Redis or the database before it is dead-lettered (ride-out). */
    'ride-out-ms': millis.min(1000).default(600_000),
    /** Prefix of the ARM's Redis keys. */
    'redis-key-prefix': z.string().default('tm:arm:'),
    /** Campaign names and hints for the card; a campaign missing here shows TM$CAMPAIGNS.NAME (cut to 32). */
    campaigns: z.array(CampaignDisplaySchema).default([]),
    /** The result form's dictionaries; when `results` is not empty, a final result must be one of its keys. */
    dictionaries: z
      .object({
        results: z.array(DictionaryEntrySchema).default([]),
        reasons: z.array(DictionaryEntrySchema).default([]),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .transform((a) => ({
    host: a.host,
    port: a.port,
    securityUrl: a['security-url'],
    securityTimeoutMs: a['security-timeout-ms'],
    consumerGroup: a['consumer-group'],
    maskPhones: a['mask-phones'],
    resultWindowMs: a['result-window-seconds'] * 1000,
    resultSweepIntervalMs: a['result-sweep-interval-ms'],
    pollIntervalMs: a['poll-interval-ms'],
    session: {
      idleCloseMs: a.session['idle-close-seconds'] * 1000,
      reapIntervalMs: a.session['reap-interval-ms'],
    },
    historyLimit: a['history-limit'],
    reworkListLimit: a['rework-list-limit'],
    callbackMinIntervalMs: a['callback-min-interval-ms'],
    bodyLimitBytes: a['body-limit-bytes'],
    staticRoot: a['static-root'] === '' ? undefined : a['static-root'],
    rideOutMs: a['ride-out-ms'],
    redisKeyPrefix: a['redis-key-prefix'],
    campaigns: a.campaigns,
    dictionaries: a.dictionaries,
  }));

export type ArmConfig = z.output<typeof ArmSchema>;
