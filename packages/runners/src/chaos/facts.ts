import type { PipelineConfig } from '@tm/contracts';
import type { RawRecord, Transport } from '@tm/pipeline-core';
import type { Knex } from 'knex';
import { contractSerdes } from '../runtime/serdes.js';
import type { TelephonyStats } from '../simulators/telephony-model.js';
import type { ChaosFacts, Decision, LoadFile, SaveFact, TaskWait } from './invariants.js';

/** What the harness knows of the operator half beyond the topics and the database. */
export interface OperatorSideFacts {
  /** The telephony simulator's counters, read once the run drained. */
  readonly telephony: Pick<TelephonyStats, 'addTaskCounts' | 'callsMade'>;
  /** The simulated operators' result saves. */
  readonly saves: readonly SaveFact[];
  readonly waitLimitsMs: Readonly<Record<TaskWait, number>>;
}

/**
 * The tasks, and for an IN_PROGRESS one what its current attempt waits for and since when: its ADD written (no
 * communication yet), its call started, or its call ended.
 */
const TASKS = `
  SELECT t.ID::text AS id, t.CANDIDATE_ID AS candidate_id, t.TASK_STATE::text AS task_state,
         CASE WHEN t.TASK_STATE <> 'IN_PROGRESS' THEN NULL
              WHEN c.ID IS NULL THEN 'call-start'
              WHEN c.ENDED_AT IS NULL THEN 'call-end'
              ELSE 'engine' END AS waiting_for,
         (EXTRACT(EPOCH FROM now() - CASE WHEN c.ID IS NULL THEN o.WTIME
                                          WHEN c.ENDED_AT IS NULL THEN COALESCE(c.STARTED_AT, c.WTIME)
                                          ELSE c.ENDED_AT END) * 1000)::float8 AS waited_ms
    FROM TM$CAMPAIGN_TASKS t
    LEFT JOIN TM$DIAL_TASK_OUTBOX o ON o.DIAL_TASK_ID = 'ADD:' || t.ID || ':' || t.ATTEMPT
    LEFT JOIN LATERAL (
      SELECT c.ID, c.STARTED_AT, c.ENDED_AT, c.WTIME FROM TM$COMMUNICATIONS c
       WHERE c.CAMPAIGN_TASK_ID = t.ID AND c.ATTEMPT = t.ATTEMPT ORDER BY c.ID DESC LIMIT 1
    ) c ON true`;

/**
 * Reads every committed record of the topics from the beginning (a fresh group, read_committed) until at least
 * `atLeast` came or `timeoutMs` passed, then `settleMs` longer to catch any beyond (duplicates). Never throws on a
 * shortfall: a missing record is the checker's to count.
 */
async function readAll(
  transport: Transport,
  topics: readonly string[],
  atLeast: number,
  { timeoutMs, settleMs }: { timeoutMs: number; settleMs: number },
): Promise<RawRecord[]> {
  const records: RawRecord[] = [];
  const consumer = transport.createConsumer({
    groupId: `chaos-reader-${Date.now()}-${Math.random().toString(36).slice(2)}`,
    topics: [...topics],
    fromBeginning: true,
    readCommitted: true,
  });
  await consumer.start({
    onBatch: (batch) => {
      for (const r of batch.records) records.push(r);
    },
    onAssignment: () => {},
    onCrash: () => {},
  });
  try {
    const deadline = Date.now() + timeoutMs;
    while (records.length < atLeast && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    await new Promise((r) => setTimeout(r, settleMs));
  } finally {
    await consumer.stop();
  }
  return records;
}

/** Where a record was read: `topic/partition@offset` and its timestamp (time of day, UTC), to trace a duplicate. */
function where(r: RawRecord): string {
  return `${r.topic}/${r.partition}@${r.offset} ${new Date(r.timestamp).toISOString().slice(11, 23)}`;
}

/** The facts of a drained run: the topics read back, the tasks and dial-task outbox from the database. */
export async function collectFacts(
  transport: Transport,
  db: Knex,
  config: PipelineConfig,
  files: readonly LoadFile[],
  operatorSide: OperatorSideFacts,
  { timeoutMs = 120_000, settleMs = 3_000 } = {},
): Promise<ChaosFacts> {
  const serdes = contractSerdes();
  const campaigns = config.eventsAnalyser.campaigns.map((c) => String(c.campaignId));
  const expectedRows = files.reduce((n, f) => n + f.validApplicationNumbers.length, 0);
  const incomingTopics = [...new Set(config.events.dataStreams.map((s) => s.topic))];
  const incoming = await readAll(transport, incomingTopics, expectedRows, { timeoutMs, settleMs });
  const published = await Promise.all(
    incoming.map(async (r) => (await serdes.application.decode(r.value as Buffer)).applicationNumber),
  );

  const decisionRecords = await readAll(
    transport,
    [config.topics.candidates, config.topics.rejections],
    new Set(published).size * campaigns.length,
    { timeoutMs, settleMs },
  );
  const decisions: Decision[] = await Promise.all(
    decisionRecords.map(async (r): Promise<Decision> => {
      if (r.topic === config.topics.candidates) {
        const c = await serdes.candidate.decode(r.value as Buffer);
        return {
          applicationNumber: c.application.applicationNumber,
          campaignId: String(c.campaignId),
          candidateId: c.candidateId,
          at: where(r),
        };
      }
      const rejection = await serdes.rejection.decode(r.value as Buffer);
      return {
        applicationNumber: rejection.applicationNumber,
        campaignId: String(rejection.campaignId),
        at: where(r),
      };
    }),
  );

  const tasks = (
    await db.raw<{
      rows: {
        id: string;
        candidate_id: string;
        task_state: string;
        waiting_for: TaskWait | null;
        waited_ms: number | null;
      }[];
    }>(TASKS)
  ).rows.map((t) => ({
    taskId: t.id,
    candidateId: t.candidate_id,
    state: t.task_state,
    ...(t.waiting_for === null ? {} : { waitingFor: t.waiting_for }),
    ...(t.waited_ms === null ? {} : { waitedMs: t.waited_ms }),
  }));
  const outbox = (
    await db.raw<{ rows: { dial_task_id: string; action: string; task_id: string; published: boolean }[] }>(
      `SELECT DIAL_TASK_ID AS dial_task_id, ACTION::text AS action, CAMPAIGN_TASK_ID::text AS task_id,
              PUBLISHED_AT IS NOT NULL AS published FROM TM$DIAL_TASK_OUTBOX`,
    )
  ).rows;
  const dialRecords = await readAll(
    transport,
    [config.topics.dialTasks],
    outbox.filter((o) => o.published).length,
    { timeoutMs, settleMs },
  );
  const publishedAdds = (await Promise.all(dialRecords.map((r) => serdes.dialTask.decode(r.value as Buffer))))
    .filter((d) => d.action === 'ADD')
    .map((d) => String(d.dialTaskId));
  const { telephony, saves, waitLimitsMs } = operatorSide;
  const callRecords = await readAll(transport, [config.topics.callEvents], 2 * telephony.callsMade, {
    timeoutMs,
    settleMs,
  });
  const callEvents = await Promise.all(
    callRecords.map(async (r) => {
      const e = await serdes.callEvent.decode(r.value as Buffer);
      return { eventId: e.eventId, callId: e.callId, type: e.type, taskId: String(e.taskId) };
    }),
  );
  const resultRecords = await readAll(
    transport,
    [config.topics.communicationResults],
    new Set(saves.filter((s) => s.outcome === 'saved').map((s) => s.communicationId)).size,
    { timeoutMs, settleMs },
  );
  const resultEvents = await Promise.all(
    resultRecords.map(async (r) => {
      const e = await serdes.communicationResult.decode(r.value as Buffer);
      return { eventId: e.eventId, communicationId: String(e.communicationId), state: e.state };
    }),
  );
  const communications = (
    await db.raw<{ rows: { id: string; task_id: string; state: string; event_id: string | null }[] }>(
      `SELECT ID::text AS id, CAMPAIGN_TASK_ID::text AS task_id, STATE::text AS state,
              RESULT_DETAILS->>'eventId' AS event_id FROM TM$COMMUNICATIONS`,
    )
  ).rows.map((c) => ({
    communicationId: c.id,
    taskId: c.task_id,
    state: c.state,
    ...(c.event_id === null ? {} : { resultEventId: c.event_id }),
  }));
  return {
    files,
    campaigns,
    published,
    decisions,
    tasks,
    outboxAdds: outbox
      .filter((o) => o.action === 'ADD')
      .map((o) => ({ dialTaskId: o.dial_task_id, taskId: o.task_id, published: o.published })),
    publishedAdds,
    telephonyAdds: telephony.addTaskCounts,
    callsMade: telephony.callsMade,
    callEvents,
    saves,
    resultEvents,
    communications,
    waitLimitsMs,
  };
}
