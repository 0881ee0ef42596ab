/** What waiting needs of a KafkaJS-style admin client (kafkajs's, or librdkafka's KafkaJS-compatible one). */
export interface TopicMetadataSource {
  fetchTopicMetadata(options: { topics: string[] }): Promise<{
    topics: { partitions: { leader: number }[] }[];
  }>;
}

/** Polls the topics' metadata until every partition has a leader (at most 30 s). */
export async function waitForTopics(admin: TopicMetadataSource, topics: readonly string[]): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      const { topics: metadata } = await admin.fetchTopicMetadata({ topics: [...topics] });
      if (metadata.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0))) return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
    }
    if (Date.now() > deadline) throw new Error(`topics ${topics.join(', ')} have no leaders after 30 s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
