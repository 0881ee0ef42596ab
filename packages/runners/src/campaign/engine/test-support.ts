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
import type { OutboundRecord, RawRecord } from '@tm/pipeline-core';
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
