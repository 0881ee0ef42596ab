import { join } from 'node:path';
import { type Application, loadPipelineConfig, type PipelineConfig } from '@tm/contracts';
import type { Services } from '@tm/filters';
import { type RawRecord, StageMetrics } from '@tm/pipeline-core';
import { StageTestDriver } from '@tm/pipeline-core/testing';
import { pino } from 'pino';
import { contractSerdes } from '../runtime/serdes.js';
import { ensurePipelineTopics } from '../runtime/topics.js';
import { type AnalyserStage, createAnalyserStage } from './analyser-stage.js';

export const repoRoot = join(import.meta.dirname, '..', '..', '..', '..');

/** A config file of the repository, loaded with no environment, with quick retries for tests. */
export function testConfig(
  file = join(repoRoot, 'config', 'pipeline.yaml'),
  retry: Partial<PipelineConfig['eventsAnalyser']['retry']> = {},
): PipelineConfig {
  const config = loadPipelineConfig(file, {});
  return {
    ...config,
    infra: { ...config.infra, transport: 'memory' },
    eventsAnalyser: {
      ...config.eventsAnalyser,
      retry: { rideOutMs: 200, initialDelayMs: 5, maxDelayMs: 20, ...retry },
    },
  };
}

/** The analyser on a memory broker, with its topics created; `publish` puts applications on the incoming topic. */
export class AnalyserHarness {
  readonly driver = new StageTestDriver();
  readonly metrics = new StageMetrics();
  readonly analyser: AnalyserStage;
  readonly serdes = contractSerdes();

  constructor(
    readonly config: PipelineConfig,
    services: Services,
  ) {
    this.analyser = createAnalyserStage({
      config,
      transport: this.driver.transport,
      services,
      metrics: this.metrics,
      logger: pino({ level: 'silent' }),
      random: () => 0.5,
    });
  }

  async start(): Promise<this> {
    await ensurePipelineTopics(this.driver.transport, this.config);
    await this.analyser.stage.start();
    return this;
  }

  publish(apps: readonly Application[]): void {
    this.driver.pipeInput(
      this.config.topics.incomingEvents,
      this.serdes.application,
      apps.map((app) => ({ key: app.applicationNumber, value: app })),
    );
  }

  /** Raw records of a topic (every one committed, on the memory broker). */
  raw(topic: string): RawRecord[] {
    return this.driver.rawOutput(topic);
  }

  async stop(): Promise<void> {
    await this.analyser.stage.stop({ timeoutMs: 2000 });
    await this.analyser.close();
  }
}
