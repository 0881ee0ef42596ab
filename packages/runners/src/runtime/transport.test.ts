import { join } from 'node:path';
import { Writable } from 'node:stream';
import { loadPipelineConfig } from '@tm/contracts';
import { rdkafkaAvailability } from '@tm/pipeline-core';
import { expect } from 'chai';
import { createLogger } from './logger.js';
import { transportFor } from './transport.js';

const configFile = join(import.meta.dirname, '..', '..', '..', '..', 'config', 'pipeline.yaml');

/** transportFor with a logger whose lines are kept; building a Kafka transport connects nothing. */
async function built(
  env: NodeJS.ProcessEnv,
): Promise<{ kind: string; lines: { msg: string; client: string }[] }> {
  const lines: { msg: string; client: string }[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)) as { msg: string; client: string });
      done();
    },
  });
  const transport = transportFor(loadPipelineConfig(configFile, env), {
    logger: createLogger('kafka', { destination, level: 'info' }),
  });
  await transport.close();
  return { kind: transport.kind, lines };
}

describe('transportFor', () => {
  it('uses kafkajs by default and says so', async () => {
    const { kind, lines } = await built({});
    expect(kind).to.equal('kafka');
    expect(lines.map((l) => l.client)).to.deep.equal(['kafkajs']);
  });

  it('uses librdkafka when configured, or kafkajs with the reason where the client does not load', async () => {
    const { kind, lines } = await built({ TM_KAFKA_CLIENT: 'librdkafka' });
    if (rdkafkaAvailability().available) {
      expect(kind).to.equal('librdkafka');
      expect(lines[0]?.msg).to.equal('kafka client: librdkafka');
    } else {
      expect(kind).to.equal('kafka');
      expect(lines[0]?.msg).to.match(/^kafka client: kafkajs \(librdkafka is configured but/);
    }
  });
});
