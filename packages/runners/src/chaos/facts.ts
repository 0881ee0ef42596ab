import type { PipelineConfig } from '@tm/contracts';
import type { RawRecord, Transport } from '@tm/pipeline-core';
import type { Knex } from 'knex';
import { contractSerdes } from '../runtime/serdes.js';
import type { ChaosFacts, Decision, LoadFile } from './invariants.js';

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

/** The facts of a drained run: the topics read back, the tasks and dial-task outbox from the database. */
export async function collectFacts(
  transport: Transport,
  db: Knex,
  config: PipelineConfig,
  files: readonly LoadFile[],
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
          at: `${r.topic}/${r.partition}@${r.offset}`,
        };
      }
      const rejection = await serdes.rejection.decode(r.value as Buffer);
      return {
        applicationNumber: rejection.applicationNumber,
        campaignId: String(rejection.campaignId),
        at: `${r.topic}/${r.partition}@${r.offset}`,
      };
    }),
  );

  const tasks = (
    await db.raw<{ rows: { id: string; candidate_id: string; task_state: string }[] }>(
      'SELECT ID::text AS id, CANDIDATE_ID AS candidate_id, TASK_STATE::text AS task_state FROM TM$CAMPAIGN_TASKS',
    )
  ).rows.map((t) => ({ taskId: t.id, candidateId: t.candidate_id, state: t.task_state }));
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
  };
}
