import { type Application, SchemaNames, schemasDir } from '@tm/contracts';
import { type ApicurioRegistry, schemaRegistryOrSkip } from '@tm/infra';
import { AvroSchemaStore, confluentAvroSerde } from '@tm/pipeline-core';
import { eventually } from '@tm/pipeline-core/testing';
import { expect } from 'chai';
import { pino } from 'pino';
import { contractSerdes } from '../runtime/serdes.js';
import {
  expectEveryApplicationDecidedOnce,
  generatedApplications,
  KafkaAnalyserRun,
} from './analyser-kafka.test-support.js';

const RETRY = { rideOutMs: 60_000, initialDelayMs: 250, maxDelayMs: 5000 };

/**
 * The analyser on the real broker with a real Confluent-compatible Schema Registry (Apicurio Registry 3, ADR 0124):
 * it reads records of both framings, publishes Confluent-framed decisions registered under `<topic>-value`, and
 * waits out a registry outage without dead-lettering anything (ADRs 0122, 0123).
 */
describe('analyser on Kafka with a Schema Registry', function () {
  this.timeout(600_000);
  let registry: ApicurioRegistry;
  let run: KafkaAnalyserRun | undefined;

  before(async function () {
    registry = await schemaRegistryOrSkip(this);
  });
  afterEach(async () => {
    await run?.close();
    run = undefined;
  });

  const subjects = async (): Promise<string[]> =>
    (await (await fetch(`${registry.url}/subjects`)).json()) as string[];

  it('reads single-object and Confluent records, and publishes Confluent ones under <topic>-value subjects', async () => {
    run = await KafkaAnalyserRun.prepare(generatedApplications(600, 41_414), RETRY, {
      schemaRegistryUrl: registry.url,
    });
    // The first half as a runner wrote them before the registry was configured, the rest through the registry.
    await run.publish(0, 300, contractSerdes().application);
    await run.publish(300, 600);
    await run.start();
    await run.waitUntilAllCommitted(240_000);
    const { outputs } = await expectEveryApplicationDecidedOnce(run);

    const { topics } = run.config;
    const candidateId = run.serdes.candidate.header().readInt32BE(1);
    const rejectionId = run.serdes.rejection.header().readInt32BE(1);
    expect(
      outputs.candidates.every((r) => r.value?.[0] === 0 && r.value.readInt32BE(1) === candidateId),
    ).to.equal(true);
    expect(
      outputs.rejections.every((r) => r.value?.[0] === 0 && r.value.readInt32BE(1) === rejectionId),
    ).to.equal(true);
    expect(await subjects()).to.include.members([
      `${topics.incomingEvents}-value`,
      `${topics.candidates}-value`,
      `${topics.rejections}-value`,
    ]);
  });

  it('waits out a registry killed mid-run: records of an unseen schema id wait, none is dead-lettered', async () => {
    run = await KafkaAnalyserRun.prepare(generatedApplications(1000, 52_525), RETRY, {
      schemaRegistryUrl: registry.url,
    });
    const current = run;
    // Another producer registers tm.Application in another form (avsc's export: no docs, no logical types), so
    // its records carry a schema id the analyser has not met and must look up.
    const store = AvroSchemaStore.fromDirectory(schemasDir);
    const other = confluentAvroSerde<Application>({
      registry: registry.url,
      subjects: `${current.config.topics.incomingEvents}-value`,
      schema: store.current(SchemaNames.application),
      logger: pino({ level: 'silent' }),
    });
    await other.ready();
    await current.serdes.application.ready?.();
    const analyserId = current.serdes.application.header().readInt32BE(1);
    expect(other.header().readInt32BE(1), 'the other producer’s schema id').not.to.equal(analyserId);

    await current.publish(0, 500);
    await current.start();
    await eventually(async () => (await current.committed()) === 500, 'the first 500 decided', 120_000);

    await registry.kill();
    const outageStart = Date.now();
    await current.publish(500, 1000, other);
    await new Promise((resolve) => setTimeout(resolve, 8000));
    expect(await current.committed(), 'nothing decided while the id cannot be looked up').to.equal(500);
    expect(await current.deadLetterCount(), 'dead letters during the outage').to.equal(0);
    expect(current.analyser?.stage.health()).to.include({ state: 'running', live: true });

    const restartMs = await registry.resume();
    const downMs = Date.now() - outageStart;
    await current.waitUntilAllCommitted(240_000);
    await expectEveryApplicationDecidedOnce(current); // none missing, none twice, no dead letter
    console.log(
      `      registry down ${downMs} ms (its restart took ${restartMs} ms); all decided ${Date.now() - outageStart} ms after the kill`,
    );
  });
});
