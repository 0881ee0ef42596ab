import type { PipelineConfig } from '@tm/contracts';
import type { TopicSpec, Transport } from '@tm/pipeline-core';

/** Every topic of the pipeline, with a dead-letter topic beside each consumed one. */
export function pipelineTopics(config: PipelineConfig): TopicSpec[] {
  const { topics } = config;
  const consumed = [
    ...new Set(config.events.dataStreams.map((s) => s.topic)),
    topics.candidates,
    topics.callEvents,
    topics.communicationResults,
    topics.operatorSessions,
    topics.dialTasks, // consumed by the dialer
    topics.callbackRequests, // consumed by the dialer
  ];
  const produced = [topics.rejections];
  const spec = (topic: string, partitions = topics.partitions): TopicSpec => ({
    topic,
    partitions,
    replicationFactor: topics.replicationFactor,
  });
  return [
    ...consumed.map((t) => spec(t)),
    ...produced.map((t) => spec(t)),
    ...consumed.map((t) => spec(`${t}${topics.dlqSuffix}`, 1)),
  ];
}

/** Creates the pipeline's topics that do not exist yet. */
export async function ensurePipelineTopics(transport: Transport, config: PipelineConfig): Promise<void> {
  await transport.ensureTopics(pipelineTopics(config));
}

/** The dead-letter topic of a consumed topic under this config. */
export function deadLetterTopicOf(config: PipelineConfig): (topic: string) => string {
  return (topic) => `${topic}${config.topics.dlqSuffix}`;
}
