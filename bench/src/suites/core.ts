/**
 * pipeline-core: a passthrough stage on the memory transport and on Kafka, and Avro encode/decode of a record
 * shaped like the Appendix A application. Kafka's own producer benchmark runs beside the Kafka passthrough.
 */
import { type Application, schemasDir } from '@tm/contracts';
import {
  AvroSchemaStore,
  avroSingleObjectSerde,
  bufferSerde,
  createStage,
  kafkaTransport,
  MemoryBroker,
  memoryTransport,
  rdkafkaAvailability,
  rdkafkaTransport,
  type Transport,
  toTopic,
} from '@tm/pipeline-core';
import { eventually } from '@tm/pipeline-core/testing';
import { benchKafka, benchName, producerPerf } from '../kafka.js';
import { atLeast, type BenchResult, reported } from '../results.js';

type Result = Omit<BenchResult, 'suite' | 'measuredAt'>;

/** A realistic application (every optional field set), as the intake would publish it. */
export function sampleApplication(i: number): Application {
  return {
    applicationNumber: String(202310240000 + i),
    createdAt: 1_696_665_445_000 + i,
    changedAt: 1_696_666_143_000 + i,
    applicationStatus: 'scored',
    loanChangedAt: 1_696_666_200_000,
    loanStatus: 'received',
    scoringResult: 'approved',
    clientType: 'pioneer',
    phone: `7952${String(9320067 + i).padStart(7, '0')}`,
    faceId: 'qegS3JF7ceibnPAVHvTMy',
    citizenship: 'KGZ',
    passportSeries: '1234',
    passportNumber: 'AM123456',
    lastName: 'БЕКИШОВ',
    firstName: 'АЙДАРБЕК',
    middleName: 'КУБАНЫЧБЕКОВИЧ',
    birthDate: 9163,
    gender: 'M',
    os: 'ANDROID',
    appVersion: '3.102.0',
    deviceId: 'be86e2a103acf33a',
    requestedAmount: 25000,
    approvedAmount: 20000,
    productType: 'express',
    term: 63,
    termUnit: 'day',
    grace: 7,
    graceUnit: 'day',
    dataStream: 'MOBILE_LOANS',
    sourceFile: 'mobile_loans_20231024.csv',
    lineNumber: i + 1,
    receivedAt: 1_696_670_000_000 + i,
  };
}

function perSecond(count: number, startedAt: bigint): number {
  return count / (Number(process.hrtime.bigint() - startedAt) / 1e9);
}

async function passthrough(
  transport: Transport,
  input: string,
  output: string,
  count: number,
  outputCount: () => Promise<number>,
): Promise<number> {
  const stage = createStage({
    name: benchName('bench-passthrough'),
    transport,
    input: { topics: input, serde: bufferSerde() },
    process: (records) => records.pipe(toTopic(output, bufferSerde())),
    maxInFlight: 5000,
    commitIntervalMs: 500,
    logger: (await import('pino')).pino({ level: 'warn' }),
  });
  const startedAt = process.hrtime.bigint();
  await stage.start();
  await eventually(async () => (await outputCount()) >= count, `${count} outputs`, 600_000);
  const rate = perSecond(count, startedAt);
  await stage.stop();
  return rate;
}

async function memoryPassthrough(): Promise<Result> {
  const count = 500_000;
  const broker = new MemoryBroker();
  broker.createTopic('in', 3);
  broker.createTopic('out', 3);
  const value = Buffer.alloc(100, 1);
  for (let i = 0; i < count; i += 10_000) {
    broker.append(
      Array.from({ length: 10_000 }, (_, j) => ({ topic: 'in', key: `k${(i + j) % 1000}`, value })),
    );
  }
  const produced = async () =>
    [0, 1, 2].reduce((sum, p) => sum + broker.read('out', p, 0, 0).highWatermark, 0);
  const rate = await passthrough(memoryTransport(broker), 'in', 'out', count, produced);
  return atLeast(
    'core.memory.passthrough',
    rate,
    'records/s',
    200_000,
    `${count.toLocaleString('en-US')} records of 100 B, 3 partitions, at-least-once, until every output is produced`,
  );
}

const ROUNDS = 5;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

function avroCodec(): Result[] {
  const serde = avroSingleObjectSerde<Application>(
    AvroSchemaStore.fromDirectory(schemasDir),
    'tm.Application',
  );
  const samples = Array.from({ length: 1000 }, (_, i) => sampleApplication(i));
  const encoded = samples.map((a) => serde.encode(a));
  const count = 300_000;
  for (let i = 0; i < 50_000; i += 1) serde.decode(serde.encode(samples[i % 1000] as Application));
  // This machine's speed drifts by a third between runs of the same code (shared cores), so each figure is the
  // median of ROUNDS rounds of `count` records, encode and decode alternating.
  const encodeRates: number[] = [];
  const decodeRates: number[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    let startedAt = process.hrtime.bigint();
    for (let i = 0; i < count; i += 1) serde.encode(samples[i % 1000] as Application);
    encodeRates.push(perSecond(count, startedAt));
    startedAt = process.hrtime.bigint();
    for (let i = 0; i < count; i += 1) serde.decode(encoded[i % 1000] as Buffer);
    decodeRates.push(perSecond(count, startedAt));
  }
  const encodeRate = median(encodeRates);
  const decodeRate = median(decodeRates);
  const spread = (rates: number[]) =>
    `; ${ROUNDS} rounds of ${count.toLocaleString('en-US')}, median of ${rates
      .map((r) => Math.round(r / 1000))
      .sort((a, b) => a - b)
      .join(' / ')} k/s`;
  const size = `${encoded[0]?.length ?? 0} B per record (35 fields: Appendix A's 31 columns as 27 typed fields + 4 intake fields), single-object encoding`;
  const profile =
    '; profile: 42% of encode time is avsc 5.7.9 Tap.writeString (a per-character loop), 17% its union writes';
  return [
    atLeast(
      'core.avro.encode',
      encodeRate,
      'records/s',
      300_000,
      `${size}${spread(encodeRates)}${encodeRate < 300_000 ? profile : ''}`,
    ),
    atLeast('core.avro.decode', decodeRate, 'records/s', 300_000, `${size}${spread(decodeRates)}`),
  ];
}

/** The Kafka clients the passthrough runs on: kafkajs always, librdkafka where its optional package loads. */
function kafkaClients(brokers: string[]): { name: string; transport: () => Transport }[] {
  const clients: { name: string; transport: () => Transport }[] = [
    { name: 'kafkajs', transport: () => kafkaTransport({ brokers, clientId: 'bench' }) },
  ];
  if (rdkafkaAvailability().available)
    clients.push({ name: 'librdkafka', transport: () => rdkafkaTransport({ brokers, clientId: 'bench' }) });
  return clients;
}

const KAFKA_ROUNDS = 3;

/**
 * The passthrough on each Kafka client and Kafka's own producer benchmark, in rounds: each round preloads one input
 * topic, passes it through a stage on each client in turn (its own group and output topic), then runs
 * ProducerPerformance. Each figure is the median of its rounds; each ratio the median of the rounds' ratios, since
 * a round's figures share the machine's load of the moment.
 */
async function kafkaPassthrough(): Promise<Result[]> {
  const kafka = await benchKafka();
  const transport = kafkaTransport({ brokers: kafka.brokers, clientId: 'bench' });
  const clients = kafkaClients(kafka.brokers);
  const rates = new Map<string, number[]>(clients.map((c) => [c.name, []]));
  const ratios = new Map<string, number[]>(clients.map((c) => [c.name, []]));
  const perfs: number[] = [];
  const count = 200_000;
  let recordSize = 400;
  try {
    const admin = transport.kafka.admin();
    await admin.connect();
    const serde = avroSingleObjectSerde<Application>(
      AvroSchemaStore.fromDirectory(schemasDir),
      'tm.Application',
    );
    const values = Array.from({ length: 1000 }, (_, i) => serde.encode(sampleApplication(i)));
    recordSize = values[0]?.length ?? 400;
    for (let round = 0; round < KAFKA_ROUNDS; round += 1) {
      const input = benchName('bench-in');
      const perfTopic = benchName('bench-perf');
      const outputs = clients.map(() => benchName('bench-out'));
      await transport.ensureTopics([input, perfTopic, ...outputs].map((topic) => ({ topic, partitions: 3 })));
      const producer = transport.createProducer();
      await producer.connect();
      for (let i = 0; i < count; i += 5000) {
        await producer.send(
          Array.from({ length: 5000 }, (_, j) => ({
            topic: input,
            key: String(202310240000 + i + j),
            value: values[(i + j) % 1000] as Buffer,
          })),
        );
      }
      await producer.disconnect();
      const roundRates: number[] = [];
      for (const [index, client] of clients.entries()) {
        const output = outputs[index] as string;
        const outputCount = async () =>
          (await admin.fetchTopicOffsets(output)).reduce((sum, p) => sum + Number(p.high), 0);
        const clientTransport = client.transport();
        try {
          const rate = await passthrough(clientTransport, input, output, count, outputCount);
          rates.get(client.name)?.push(rate);
          roundRates.push(rate);
        } finally {
          await clientTransport.close();
        }
      }
      const perf = await producerPerf(kafka.brokers.join(','), perfTopic, count, recordSize);
      perfs.push(perf);
      for (const [index, client] of clients.entries())
        ratios.get(client.name)?.push((roundRates[index] as number) / perf);
    }
    await admin.disconnect();
  } finally {
    await transport.close();
    await kafka.stop();
  }
  const spread = (values: number[], scale: (v: number) => string) =>
    `median of ${KAFKA_ROUNDS} rounds: ${[...values]
      .sort((a, b) => a - b)
      .map(scale)
      .join(' / ')}`;
  const thousands = (v: number) => `${Math.round(v / 100) / 10}k`;
  const hundredths = (v: number) => v.toFixed(2);
  const loaded = 'indicative only: a shared, loaded 2-core machine';
  return [
    ...clients.flatMap((client) => {
      const clientRates = rates.get(client.name) ?? [];
      const clientRatios = ratios.get(client.name) ?? [];
      return [
        reported(
          `core.kafka.passthrough.${client.name}`,
          median(clientRates),
          'records/s',
          `${count.toLocaleString('en-US')} records of ${recordSize} B consumed and produced through one at-least-once stage on ${client.name}, Kafka ${kafka.version} on this machine; ${spread(clientRates, thousands)}; ${loaded}`,
        ),
        reported(
          `core.kafka.passthrough.${client.name} / producer-perf`,
          median(clientRatios),
          'ratio',
          `the stage on ${client.name} (consume + produce) vs. produce alone with the Java client, in the same round; ${spread(clientRatios, hundredths)}`,
        ),
      ];
    }),
    reported(
      'kafka.producer-perf',
      median(perfs),
      'records/s',
      `Kafka's ProducerPerformance, ${count.toLocaleString('en-US')} records of ${recordSize} B, acks=all, same broker; ${spread(perfs, thousands)}`,
    ),
  ];
}

export async function coreSuite(): Promise<Result[]> {
  // The codec runs first, on a quiet heap: after the passthroughs its figures swing by a third.
  const codec = avroCodec();
  return [await memoryPassthrough(), ...codec, ...(await kafkaPassthrough())];
}
