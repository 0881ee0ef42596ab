import type { PipelineConfig } from '@tm/contracts';
import type { StageOptions } from '@tm/pipeline-core';
import { deadLetterTopicOf } from './topics.js';

/**
 * What every runner's stages take from the config: where their dead letters go, and how long they ride out the
 * broker being away before they fail (`infra.kafka.outage-limit-ms`, issue 15 defect 8).
 */
export function stageSettingsOf(
  config: PipelineConfig,
): Pick<StageOptions<unknown>, 'deadLetterTopic' | 'outageLimitMs'> {
  return { deadLetterTopic: deadLetterTopicOf(config), outageLimitMs: config.infra.kafka.outageLimitMs };
}
