import type { Candidate } from '@tm/contracts';
import type { Knex } from 'knex';
import { type ClientInfo, clientInfoOf, clientTimeZoneOf } from './client-info.js';
import { withDbContext } from './errors.js';
import { jsonbText } from './jsonb.js';
import { zonesPostgresKnows } from './known-zones.js';

/** What one {@link ingestCandidates} call did. Ids only: never phones or names. */
export interface IngestResult {
  /** Tasks created NEW. */
  created: number;
  /** Candidates of this batch superseded by a later one of the same client and campaign in the same batch: stored CANCELED. */
  supersededInBatch: number;
  /**
   * Candidate ids already stored (redelivery), or stored by a concurrent ingest of the same records while this one
   * ran: nothing changed for them.
   */
  redelivered: string[];
  /** Candidate ids whose campaign is not in TM$CAMPAIGNS: not stored; the caller dead-letters them. */
  unknownCampaign: string[];
  /** Earlier open tasks cancelled because a new candidate replaced them. */
  canceled: number;
  /** DELETE dial tasks written to the outbox for cancelled IN_PROGRESS tasks. */
  deleteDialTasks: number;
  /**
   * Candidates older (by their application's last change) than the client's open task in the campaign, which came
   * first: stored CANCELED, and the open task kept.
   */
  outdated: number;
}

/** Options of {@link ingestCandidates}. */
export interface IngestOptions {
  /** The client's time zone when Casper does not know it (config `campaign-engine.default-time-zone`). */
  defaultTimeZone?: string;
}

/** A row of the INSERT_TASKS JSON parameter; keys as the recordset's columns. */
interface TaskRow {
  candidate_id: string;
  campaign_id: number;
  phone: string;
  client_info: ClientInfo;
  client_time_zone: string;
  task_state: 'NEW' | 'CANCELED';
}

/**
 * Cancels the open tasks of the given (campaign, phone) pairs that are older than the candidate replacing them, and
 * writes a DELETE for each that was IN_PROGRESS. Each pair comes with the candidate that replaces its open task, and
 * that candidate's application time (`changedAt`, the last significant change); a pair whose candidate is stored by
 * now is skipped. That check runs in this statement's snapshot, not the batch's first SELECT: a concurrent ingest of
 * the same candidates (a rebalance zombie and the partition's new owner) may have committed them in between, and its
 * open task is then the candidate itself, or a later one of the same client — cancelling it would leave nobody to
 * call. An open task whose application changed later than the arriving candidate's is kept: the analyser can decide
 * a client's applications out of order (they arrive keyed by application number, on different partitions), so the
 * newer one may be stored first (issue 15, defect 7). Such arriving candidates are returned as `outdated`.
 * The `= ANY` conditions let the partial unique index on open tasks find them by key; the pair match then drops
 * cross-combinations. Rows are locked, so a concurrent claim either finished (the task is IN_PROGRESS and gets its
 * DELETE) or waits; a concurrent ingest that cancelled a row first makes it drop out when the lock is granted.
 */
const CANCEL_OPEN_TASKS = `
  WITH pairs AS (
    SELECT c.CAMPAIGN_ID, c.PHONE, c.CANDIDATE_ID, c.CHANGED_AT
      FROM unnest(?::bigint[], ?::text[], ?::text[], ?::bigint[]) AS c(CAMPAIGN_ID, PHONE, CANDIDATE_ID, CHANGED_AT)
     WHERE NOT EXISTS (SELECT 1 FROM TM$CAMPAIGN_TASKS k WHERE k.CANDIDATE_ID = c.CANDIDATE_ID)
  ), open AS (
    SELECT t.ID, t.TASK_STATE, t.CAMPAIGN_ID, t.PHONE, t.ATTEMPT, t.CLIENT_TIME_ZONE,
           (t.CLIENT_INFO->'application'->>'changedAt')::bigint AS CHANGED_AT
      FROM TM$CAMPAIGN_TASKS t
     WHERE t.TASK_STATE IN ('NEW', 'IN_PROGRESS')
       AND t.CAMPAIGN_ID = ANY(?::bigint[])
       AND t.PHONE = ANY(?::text[])
       AND (t.CAMPAIGN_ID, t.PHONE) IN (SELECT CAMPAIGN_ID, PHONE FROM pairs)
       FOR UPDATE OF t
  ), matched AS (
    SELECT o.ID, o.TASK_STATE, o.CAMPAIGN_ID, o.PHONE, o.ATTEMPT, o.CLIENT_TIME_ZONE, p.CANDIDATE_ID,
           COALESCE(o.CHANGED_AT <= p.CHANGED_AT, true) AS OLDER
      FROM open o JOIN pairs p ON p.CAMPAIGN_ID = o.CAMPAIGN_ID AND p.PHONE = o.PHONE
  ), replaced AS (
    SELECT * FROM matched WHERE OLDER
  ), canceled AS (
    UPDATE TM$CAMPAIGN_TASKS t SET TASK_STATE = 'CANCELED'
      FROM replaced r WHERE t.ID = r.ID
    RETURNING t.ID
  ), deletes AS (
    INSERT INTO TM$DIAL_TASK_OUTBOX
      (DIAL_TASK_ID, ACTION, CAMPAIGN_TASK_ID, CAMPAIGN_ID, PHONE, ATTEMPT, CLIENT_TIME_ZONE)
    SELECT 'DELETE:' || r.ID || ':' || r.ATTEMPT, 'DELETE', r.ID, r.CAMPAIGN_ID, r.PHONE, r.ATTEMPT, r.CLIENT_TIME_ZONE
      FROM replaced r
     WHERE r.TASK_STATE = 'IN_PROGRESS'
    ON CONFLICT (DIAL_TASK_ID) DO NOTHING
    RETURNING 1
  )
  SELECT (SELECT count(*) FROM canceled)::int AS canceled, (SELECT count(*) FROM deletes)::int AS deletes,
         COALESCE((SELECT array_agg(CANDIDATE_ID) FROM matched WHERE NOT OLDER), '{}') AS outdated`;

/** Inserts the batch, passed as one JSON array (one parameter, parsed once by PostgreSQL). */
const INSERT_TASKS = `
  INSERT INTO TM$CAMPAIGN_TASKS
    (CANDIDATE_ID, CAMPAIGN_ID, PHONE, CLIENT_INFO, CLIENT_TIME_ZONE, TASK_STATE, TASK_TIME, TASK_TYPE)
  SELECT c.candidate_id, c.campaign_id, c.phone, c.client_info, c.client_time_zone, c.task_state, ?::timestamptz,
         'PHONE_MIGHTYCALL'
    FROM jsonb_to_recordset(?::jsonb)
         AS c(candidate_id text, campaign_id bigint, phone text, client_info jsonb, client_time_zone text,
              task_state campaign_task_states)
  ON CONFLICT (CANDIDATE_ID) DO NOTHING
  RETURNING CANDIDATE_ID, TASK_STATE`;

/**
 * Stores a batch of candidates as campaign tasks (thesis §2.6.3), in one transaction and three statements whatever
 * the batch size (four when the batch has a time zone not seen before).
 *
 * Each new candidate becomes a NEW task with TASK_TIME = `now` and CLIENT_INFO from the candidate. If the client
 * (phone) already has an open task (NEW or IN_PROGRESS) in the same campaign, that task becomes CANCELED and the new
 * one replaces it; when it was IN_PROGRESS, a DELETE dial task for it goes into the outbox in the same transaction.
 * "New" is by the application's last change (`changedAt`), not by arrival: a candidate older than the open task is
 * stored CANCELED and the open task stays (`outdated`). Within a batch, the newest candidate of a client and campaign
 * wins (the later one among equals); the others are stored CANCELED, so their redelivery is recognised too. A
 * candidate whose id is already stored changes nothing (redelivery).
 *
 * Candidates arrive keyed by phone, so one client's candidates are in order in one batch; the partial unique index
 * on open tasks makes a concurrent ingest of the same client fail (and retry) rather than leave two open tasks.
 * Two ingests of the same candidates at once (during a rebalance) store each once and never cancel the task of a
 * candidate either of them stored: the cancel checks again, in its own statement, which replacing candidates are
 * stored by then (see CANCEL_OPEN_TASKS).
 *
 * @param db a knex instance or transaction.
 * @param candidates the batch, in arrival order.
 * @param now the time the tasks become due.
 * @throws {@link CampaignDbError} when the database refuses the batch; nothing of it is stored then.
 */
export async function ingestCandidates(
  db: Knex,
  candidates: readonly Candidate[],
  now: Date,
  options: IngestOptions = {},
): Promise<IngestResult> {
  const result: IngestResult = {
    created: 0,
    supersededInBatch: 0,
    redelivered: [],
    unknownCampaign: [],
    canceled: 0,
    deleteDialTasks: 0,
    outdated: 0,
  };
  if (candidates.length === 0) return result;
  const defaultTimeZone = options.defaultTimeZone ?? 'Europe/Moscow';

  return withDbContext('ingestCandidates', { candidates: candidates.length }, () =>
    db.transaction(async (trx) => {
      const ids = [...new Set(candidates.map((c) => c.candidateId))];
      const campaignIds = [...new Set(candidates.map((c) => c.campaignId))];
      const { rows: known } = await trx.raw<{ rows: { kind: 'task' | 'campaign'; id: string }[] }>(
        `SELECT 'task' AS kind, CANDIDATE_ID AS id FROM TM$CAMPAIGN_TASKS WHERE CANDIDATE_ID = ANY(?::text[])
         UNION ALL
         SELECT 'campaign', ID::text FROM TM$CAMPAIGNS WHERE ID = ANY(?::bigint[])`,
        [ids, campaignIds],
      );
      const stored = new Set(known.filter((k) => k.kind === 'task').map((k) => k.id));
      const campaigns = new Set(known.filter((k) => k.kind === 'campaign').map((k) => Number(k.id)));

      // The first occurrence of an id counts; the newest candidate of each client and campaign wins (by its
      // application's last change; the later arrival among equals).
      const fresh = new Map<string, Candidate>();
      const redelivered = new Set<string>();
      const unknownCampaign = new Set<string>();
      for (const c of candidates) {
        if (stored.has(c.candidateId)) redelivered.add(c.candidateId);
        else if (!campaigns.has(c.campaignId)) unknownCampaign.add(c.candidateId);
        else if (!fresh.has(c.candidateId)) fresh.set(c.candidateId, c);
      }
      result.redelivered = [...redelivered];
      result.unknownCampaign = [...unknownCampaign];
      if (fresh.size === 0) return result;
      const winner = new Map<string, Candidate>();
      for (const c of fresh.values()) {
        const key = `${c.campaignId}|${c.phone}`;
        const current = winner.get(key);
        if (!current || !(c.application.changedAt < current.application.changedAt)) winner.set(key, c);
      }

      const rows: TaskRow[] = [...fresh.values()].map((c) => ({
        candidate_id: c.candidateId,
        campaign_id: c.campaignId,
        phone: c.phone,
        client_info: clientInfoOf(c),
        client_time_zone: clientTimeZoneOf(c, defaultTimeZone),
        task_state: winner.get(`${c.campaignId}|${c.phone}`) === c ? 'NEW' : 'CANCELED',
      }));
      const zones = await zonesPostgresKnows(
        trx,
        rows.map((r) => r.client_time_zone),
        defaultTimeZone,
      );
      rows.forEach((r, i) => {
        r.client_time_zone = zones[i] ?? defaultTimeZone;
      });
      const winners = rows.filter((r) => r.task_state === 'NEW');

      const pairCampaigns = winners.map((r) => r.campaign_id);
      const pairPhones = winners.map((r) => r.phone);
      const { rows: cancel } = await trx.raw<{
        rows: { canceled: number; deletes: number; outdated: string[] }[];
      }>(CANCEL_OPEN_TASKS, [
        pairCampaigns,
        pairPhones,
        winners.map((r) => r.candidate_id),
        // null (never from the analyser; some test fixtures carry no time) compares as older, so arrival decides.
        winners.map((r) => (fresh.get(r.candidate_id) as Candidate).application.changedAt ?? null),
        [...new Set(pairCampaigns)],
        [...new Set(pairPhones)],
      ]);
      result.canceled = cancel[0]?.canceled ?? 0;
      result.deleteDialTasks = cancel[0]?.deletes ?? 0;
      const outdated = new Set(cancel[0]?.outdated ?? []);
      for (const r of rows) if (outdated.has(r.candidate_id)) r.task_state = 'CANCELED';

      const { rows: inserted } = await trx.raw<{ rows: { candidate_id: string; task_state: string }[] }>(
        INSERT_TASKS,
        [now, jsonbText(rows)],
      );
      result.created = inserted.filter((r) => r.task_state === 'NEW').length;
      result.outdated = inserted.filter((r) => outdated.has(r.candidate_id)).length;
      result.supersededInBatch = inserted.length - result.created - result.outdated;
      // Ids a concurrent ingest of the same records stored after the first SELECT: redelivered too.
      if (inserted.length < rows.length) {
        const insertedIds = new Set(inserted.map((r) => r.candidate_id));
        for (const r of rows) if (!insertedIds.has(r.candidate_id)) result.redelivered.push(r.candidate_id);
      }
      return result;
    }),
  );
}
