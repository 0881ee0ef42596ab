/**
 * Helpers for the campaign engine's tests (not exported from the package): a pipeline config made from the
 * repository's config/pipeline.yaml with overrides, topic and group names of a test's own, and readers of what the
 * engine produced.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  type CallEvent,
  type Candidate,
  type CommunicationResult,
  type DialTask,
  defaultConfigPath,
  type PipelineConfig,
  parsePipelineConfig,
} from '@tm/contracts';
import type { OutboundRecord, RawRecord, Transport } from '@tm/pipeline-core';
import type { Knex } from 'knex';
import { parseDocument } from 'yaml';
import { contractSerdes } from '../../runtime/serdes.js';

/** A key path of the config file and the value to set there. */
export type ConfigOverride = readonly [path: readonly (string | number)[], value: unknown];

/** The topics and consumer group of one test, unique on a shared broker. */
export interface EngineNames {
  candidates: string;
  callEvents: string;
  results: string;
  dialTasks: string;
  group: string;
}

/** Names made unique by `unique` (uniqueName of @tm/infra in integration tests). */
export function engineNames(unique: (base: string) => string): EngineNames {
  return {
    candidates: unique('ce-candidates'),
    callEvents: unique('ce-call-events'),
    results: unique('ce-results'),
    dialTasks: unique('ce-dial-tasks'),
    group: unique('ce-engine'),
  };
}

/** Overrides that point the config at a test's topics and group. */
export function namesOverrides(names: EngineNames, partitions = 3): ConfigOverride[] {
  return [
    [['topics', 'candidates'], names.candidates],
    [['topics', 'call-events'], names.callEvents],
    [['topics', 'communication-results'], names.results],
    [['topics', 'dial-tasks'], names.dialTasks],
    [['topics', 'partitions'], partitions],
    [['campaign-engine', 'consumer-group'], names.group],
  ];
}

/** config/pipeline.yaml with the overrides set, as YAML text. */
export function configText(overrides: readonly ConfigOverride[]): string {
  const doc = parseDocument(readFileSync(defaultConfigPath({}), 'utf8'));
  for (const [path, value] of overrides) doc.setIn(path, value);
  return doc.toString();
}

/** config/pipeline.yaml with the overrides set, parsed and validated (relative paths as in the repository). */
export function engineConfig(
  overrides: readonly ConfigOverride[],
  env: NodeJS.ProcessEnv = process.env,
): PipelineConfig {
  return parsePipelineConfig(configText(overrides), { env, baseDir: dirname(defaultConfigPath({})) });
}

/** Writes the config with the overrides to `dir/pipeline.yaml`, for a runner process; returns its path. */
export function writeEngineConfig(dir: string, overrides: readonly ConfigOverride[]): string {
  const file = join(dir, 'pipeline.yaml');
  writeFileSync(file, configText(overrides));
  return file;
}

/** Records for the engine's input topics, encoded and keyed as the other stages produce them. */
export const encode = {
  candidate: (topic: string, c: Candidate): OutboundRecord => ({
    topic,
    key: c.phone,
    value: contractSerdes().candidate.encode(c),
  }),
  callEvent: (topic: string, e: CallEvent): OutboundRecord => ({
    topic,
    key: String(e.operatorId),
    value: contractSerdes().callEvent.encode(e),
  }),
  result: (topic: string, r: CommunicationResult): OutboundRecord => ({
    topic,
    key: String(r.operatorId),
    value: contractSerdes().communicationResult.encode(r),
  }),
};

/** Dial tasks as read from the topic, with the key they were produced under. */
export function dialTasksOf(records: readonly RawRecord[]): (DialTask & { key: string | undefined })[] {
  return records.map((r) => ({
    ...(contractSerdes().dialTask.decode(r.value as Buffer) as DialTask),
    key: r.key?.toString('utf8'),
  }));
}

/** `HH:MM` of `date` in Moscow (UTC+3, no DST). */
export function moscowTime(date: Date, plusMinutes = 0): string {
  const minutes =
    (date.getUTCHours() * 60 + date.getUTCMinutes() + 180 + plusMinutes + 24 * 60 * 2) % (24 * 60);
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

/** A consumer that gathers every record of some topics from the beginning, for assertions. */
export interface TopicCollector {
  records(topic: string): RawRecord[];
  stop(): Promise<void>;
}

/**
 * Starts a {@link TopicCollector} in a consumer group of its own. It commits nothing; a record fetched twice (after
 * a rejoin) is kept once, by partition and offset, so counts on the topic are the topic's own.
 */
export async function collectTopics(
  transport: Transport,
  topics: readonly string[],
  groupId: string,
): Promise<TopicCollector> {
  const seen = new Map<string, Map<string, RawRecord>>(topics.map((t) => [t, new Map()]));
  const consumer = transport.createConsumer({ groupId, topics, fromBeginning: true, readCommitted: true });
  await consumer.start({
    onBatch: (batch) => {
      const records = seen.get(batch.topic);
      for (const r of batch.records) records?.set(`${r.partition}:${r.offset}`, r);
    },
    onAssignment: () => {},
    onCrash: () => {},
  });
  return {
    records: (topic) =>
      [...(seen.get(topic)?.values() ?? [])].sort((a, b) => a.partition - b.partition || a.offset - b.offset),
    stop: () => consumer.stop(),
  };
}

/** Everything the engine keeps, as comparable text: tasks, communications, outbox rows, consumed event ids. */
export async function databaseSnapshot(db: Knex): Promise<Record<string, unknown[]>> {
  const rows = async (sql: string) => (await db.raw<{ rows: unknown[] }>(sql)).rows;
  return {
    tasks: await rows(
      'SELECT ID, CANDIDATE_ID, CAMPAIGN_ID, TASK_STATE, ATTEMPT, TASK_TIME, CLIENT_TIME_ZONE, UTIME FROM TM$CAMPAIGN_TASKS ORDER BY ID',
    ),
    communications: await rows(
      'SELECT ID, CAMPAIGN_TASK_ID, STATE, CALL_ID, ATTEMPT, STARTED_AT, ENDED_AT, RESULT_DETAILS, UTIME FROM TM$COMMUNICATIONS ORDER BY ID',
    ),
    outbox: await rows('SELECT ID, DIAL_TASK_ID, PUBLISHED_AT FROM TM$DIAL_TASK_OUTBOX ORDER BY ID'),
    consumedEvents: await rows('SELECT EVENT_ID FROM TM$CONSUMED_EVENTS ORDER BY EVENT_ID'),
  };
}
