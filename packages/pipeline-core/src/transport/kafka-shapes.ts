import type { Headers, OutboundRecord } from '../record.js';
import type { TopicPartition, TopicPartitionOffset, TopicSpec } from './types.js';

/**
 * The record and offset shapes of KafkaJS's API, which both Kafka transports speak: kafkajs itself and the
 * KafkaJS-compatible API of @confluentinc/kafka-javascript (librdkafka).
 */
export interface KafkaJsMessage {
  key: Buffer | string | null;
  value: Buffer | null;
  headers?: Record<string, string>;
  partition?: number;
}

type KafkaJsHeaders = Record<string, Buffer | string | (Buffer | string)[] | undefined>;

export function decodeHeaders(headers: KafkaJsHeaders | undefined): Headers {
  const out: Record<string, string> = {};
  if (!headers) return out;
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    out[name] = Array.isArray(value) ? value.map(String).join(',') : value.toString();
  }
  return out;
}

function grouped<T, V>(
  items: readonly T[],
  keyOf: (item: T) => string,
  itemValue: (item: T) => V,
): Map<string, V[]> {
  const groups = new Map<string, V[]>();
  for (const item of items) {
    const key = keyOf(item);
    let list = groups.get(key);
    if (!list) {
      list = [];
      groups.set(key, list);
    }
    list.push(itemValue(item));
  }
  return groups;
}

/** Records as one message list per topic, in order. */
export function messagesByTopic(
  records: readonly OutboundRecord[],
): { topic: string; messages: KafkaJsMessage[] }[] {
  const byTopic = grouped(
    records,
    (r) => r.topic,
    (r): KafkaJsMessage => ({
      key: r.key,
      value: r.value,
      ...(r.headers ? { headers: { ...r.headers } } : {}),
      ...(r.partition !== undefined ? { partition: r.partition } : {}),
    }),
  );
  return [...byTopic].map(([topic, messages]) => ({ topic, messages }));
}

/** Offsets as KafkaJS's `{ topic, partitions: [{ partition, offset }] }` list (sendOffsets). */
export function offsetsByTopic(
  offsets: readonly TopicPartitionOffset[],
): { topic: string; partitions: { partition: number; offset: string }[] }[] {
  const byTopic = grouped(
    offsets,
    (o) => o.topic,
    (o) => ({ partition: o.partition, offset: String(o.offset) }),
  );
  return [...byTopic].map(([topic, partitions]) => ({ topic, partitions }));
}

/** Partitions as KafkaJS's `{ topic, partitions: number[] }` list (pause, resume). */
export function partitionsByTopic(
  partitions: readonly TopicPartition[],
): { topic: string; partitions: number[] }[] {
  const byTopic = grouped(
    partitions,
    (p) => p.topic,
    (p) => p.partition,
  );
  return [...byTopic].map(([topic, list]) => ({ topic, partitions: list }));
}

/** Topic specs as KafkaJS's createTopics list. */
export function topicCreations(topics: readonly TopicSpec[]): {
  topic: string;
  numPartitions: number;
  replicationFactor: number;
  configEntries: { name: string; value: string }[];
}[] {
  return topics.map((t) => ({
    topic: t.topic,
    numPartitions: t.partitions,
    replicationFactor: t.replicationFactor ?? 1,
    configEntries: Object.entries(t.config ?? {}).map(([name, value]) => ({ name, value })),
  }));
}

/** A group's committed offsets from KafkaJS's fetchOffsets answer for one topic (partitions without one left out). */
export function committedFrom(result: { partitions: { partition: number; offset: string }[] } | undefined) {
  const offsets = new Map<number, number>();
  for (const p of result?.partitions ?? []) {
    const offset = Number(p.offset);
    if (offset >= 0) offsets.set(p.partition, offset);
  }
  return offsets;
}
