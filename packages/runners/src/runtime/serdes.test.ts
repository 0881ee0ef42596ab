import { join } from 'node:path';
import { type CallEvent, loadPipelineConfig, type PipelineConfig } from '@tm/contracts';
import { type SchemaRegistryDouble, startSchemaRegistryDouble } from '@tm/pipeline-core/testing';
import { expect } from 'chai';
import { pino } from 'pino';
import { contractSerdes, topicsByValueType } from './serdes.js';

const base = loadPipelineConfig(
  join(import.meta.dirname, '..', '..', '..', '..', 'config', 'pipeline.yaml'),
  {},
);
const quiet = pino({ level: 'silent' });

/** The default config with a registry URL, its streams on two topics, and topic names of this test. */
let configs = 0;
function configWith(url: string | undefined, transport: 'kafka' | 'memory' = 'kafka'): PipelineConfig {
  const [first, second] = base.events.dataStreams;
  configs += 1;
  return {
    ...base,
    events: {
      ...base.events,
      dataStreams: [
        { ...(first as (typeof base.events.dataStreams)[number]), topic: `serdes-${configs}-a` },
        { ...(second as (typeof base.events.dataStreams)[number]), topic: `serdes-${configs}-b` },
      ],
    },
    infra: { ...base.infra, transport, schemaRegistryUrl: url },
  };
}

describe('contractSerdes: the serde family from the config', () => {
  let registry: SchemaRegistryDouble;
  beforeEach(async () => {
    registry = await startSchemaRegistryDouble();
  });
  afterEach(async () => {
    await registry.close();
  });

  it('without a registry URL, or on the memory transport, writes single-object encoding', () => {
    for (const serdes of [
      contractSerdes(),
      contractSerdes(configWith(undefined)),
      contractSerdes(configWith(registry.url, 'memory')),
    ]) {
      expect(serdes.dialTask.ready).to.equal(undefined);
      expect([...serdes.dialTask.header().subarray(0, 2)]).to.deep.equal([0xc3, 0x01]);
    }
    expect(registry.requests).to.deep.equal([]);
  });

  it('with one, any ready() registers every contract schema under <topic>-value (TopicNameStrategy), once', async () => {
    const config = configWith(registry.url);
    const serdes = contractSerdes(config, quiet);
    expect(contractSerdes(config, quiet)).to.equal(serdes); // one set per process and config
    await serdes.candidate.ready?.();
    await serdes.dialTask.ready?.();
    const expected = Object.values(topicsByValueType(config)).flatMap((topics) =>
      topics.map((t) => `POST /subjects/${t}-value/versions`),
    );
    expect(registry.requests).to.have.members(expected);
    expect(registry.requests).to.have.length(expected.length);
    expect(expected).to.include.members([
      `POST /subjects/${config.events.dataStreams[0]?.topic}-value/versions`,
      `POST /subjects/${config.events.dataStreams[1]?.topic}-value/versions`,
      'POST /subjects/tm-dial-tasks-value/versions',
    ]);
    expect(serdes.dialTask.header()[0]).to.equal(0);
  });

  it('reads what the other family wrote', async () => {
    const withRegistry = contractSerdes(configWith(registry.url), quiet);
    await withRegistry.callEvent.ready?.();
    const without = contractSerdes();
    const event: CallEvent = {
      eventId: 'e-1',
      type: 'CALL_STARTED',
      taskId: 1,
      operatorId: 7,
      callId: 'c-1',
      phone: '79001234567',
      durationSeconds: null,
      occurredAt: 1_700_000_000_000,
      attempt: null,
      outcome: null,
    };
    const single = without.callEvent.encode(event);
    expect(await withRegistry.callEvent.decode(single)).to.deep.include({ eventId: 'e-1' });
    expect(() => without.callEvent.decode(withRegistry.callEvent.encode(event))).to.throw(
      'no schema registry is configured',
    );
  });
});
