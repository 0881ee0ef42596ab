import { spawn } from 'node:child_process';
import { ensureKafkaJars, javaExecutable, type ProvidedKafka, provideKafka } from '@tm/infra';

let counter = 0;
const runId = Date.now().toString(36);

/** A topic or group name unique to this bench run (the shared broker keeps earlier runs' topics). */
export function benchName(base: string): string {
  counter += 1;
  return `${base}-${runId}-${counter}`;
}

/** A Kafka broker for benchmarks, obtained like the tests obtain theirs (KAFKA_BROKERS, infra:up, or a JVM broker). */
export async function benchKafka(): Promise<ProvidedKafka> {
  return provideKafka();
}

/**
 * Kafka's own producer benchmark (org.apache.kafka.tools.ProducerPerformance, what kafka-producer-perf-test.sh
 * runs) against the broker, for records of `recordSize` bytes with acks=all. Returns records per second.
 */
export async function producerPerf(
  brokers: string,
  topic: string,
  records: number,
  recordSize: number,
): Promise<number> {
  const jars = await ensureKafkaJars('tools');
  const args = [
    '-Xmx512m',
    '-cp',
    `${jars}/*`,
    'org.apache.kafka.tools.ProducerPerformance',
    '--topic',
    topic,
    '--num-records',
    String(records),
    '--record-size',
    String(recordSize),
    '--throughput',
    '-1',
    '--producer-props',
    `bootstrap.servers=${brokers}`,
    'acks=all',
    'linger.ms=5',
  ];
  const output = await new Promise<string>((resolve, reject) => {
    const child = spawn(javaExecutable(), args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.once('exit', (code) =>
      code === 0
        ? resolve(out)
        : reject(new Error(`ProducerPerformance exited ${code}:\n${out.slice(-2000)}`)),
    );
  });
  const summary = output
    .trim()
    .split('\n')
    .reverse()
    .find((l) => /records sent, [\d.]+ records\/sec/.test(l));
  const match = summary ? /records sent, ([\d.]+) records\/sec/.exec(summary) : null;
  if (!match?.[1]) throw new Error(`cannot read ProducerPerformance's summary:\n${output.slice(-1000)}`);
  return Number(match[1]);
}
