import { join } from 'node:path';
import { loadPipelineConfig } from '@tm/contracts';
import { expect } from 'chai';
import { pipelineTopics } from './topics.js';

describe('pipelineTopics', () => {
  it('lists every topic of DESIGN.md §4 and a dead-letter topic beside each consumed one', () => {
    const config = loadPipelineConfig(
      join(import.meta.dirname, '..', '..', '..', '..', 'config', 'pipeline.yaml'),
      {},
    );
    const names = pipelineTopics(config).map((t) => t.topic);
    const consumed = [
      'tml-incoming-events',
      'tml-candidates',
      'tm-dial-tasks',
      'tm-call-events',
      'tm-operator-sessions',
      'tm-communication-results',
      'tm-callback-requests',
    ];
    expect(names).to.have.members([...consumed, 'tml-rejections', ...consumed.map((t) => `${t}.dlq`)]);
  });
});
