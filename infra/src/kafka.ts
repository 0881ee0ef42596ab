import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { Attempts, reason } from './attempts.js';
import { fromTestcontainer } from './docker.js';
import { onPath } from './exec.js';
import { JvmKafkaBroker, javaExecutable, type KafkaBrokerInfo, processAlive } from './kafka-broker.js';
import { infraLog } from './log.js';
import { infraStateDir } from './paths.js';

/** A Kafka cluster the tests can use, with how it was obtained and how to let go of it. */
export interface ProvidedKafka {
  brokers: string[];
  /** The broker's software version, as far as it can be known. */
  version: string;
  /** How the broker was obtained: env, infra-up, testcontainers or jvm. */
  source: 'env' | 'infra-up' | 'testcontainers' | 'jvm';
  /** The broker's process id, when this run started it as a local process. */
  pid?: number;
  /** The broker log, when this run started the broker. */
  logFile?: string;
  /** Last lines of the broker log, when available. */
  logTail?: () => string;
  stop(options?: { keepLogs?: boolean }): Promise<void>;
}

export const kafkaStateFile = join(infraStateDir, 'kafka.json');

/** Connects an admin client and lists the cluster's brokers; throws when the cluster does not answer. */
export async function probeKafka(brokers: string[], timeoutMs = 5000): Promise<void> {
  const kafka = new Kafka({
    clientId: 'tm-infra-probe',
    brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: timeoutMs,
    retry: { retries: 2, initialRetryTime: 200 },
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    await admin.describeCluster();
  } finally {
    await admin.disconnect();
  }
}

/**
 * Waits until the group and transaction coordinators answer. A fresh broker creates __consumer_offsets and
 * __transaction_state on first use; doing that here keeps "coordinator not available" retries out of the tests.
 */
export async function warmUpCoordinators(brokers: string[], timeoutMs = 30_000): Promise<void> {
  const kafka = new Kafka({ clientId: 'tm-infra-warmup', brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      try {
        await admin.describeGroups(['tm-infra-warmup']);
        break;
      } catch (err) {
        if (Date.now() > deadline) throw err;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  } finally {
    await admin.disconnect();
  }
}

function readInfraUpState(): KafkaBrokerInfo | undefined {
  if (!existsSync(kafkaStateFile)) return undefined;
  try {
    return JSON.parse(readFileSync(kafkaStateFile, 'utf8')) as KafkaBrokerInfo;
  } catch {
    return undefined;
  }
}

/**
 * Provides a Kafka broker, in this order: `KAFKA_BROKERS`; a broker left running by `pnpm infra:up`;
 * Testcontainers when a Docker engine answers; a real Apache Kafka JVM broker started from the pinned jars.
 * Throws a {@link TestServiceUnavailableError} naming every attempt when none works.
 */
export async function provideKafka(): Promise<ProvidedKafka> {
  const attempts = new Attempts('Kafka');

  const fromEnv = process.env.KAFKA_BROKERS?.trim();
  if (fromEnv) {
    const brokers = fromEnv.split(',').map((b) => b.trim());
    try {
      await probeKafka(brokers);
      return { brokers, version: 'external (KAFKA_BROKERS)', source: 'env', stop: async () => {} };
    } catch (err) {
      attempts.tried(`KAFKA_BROKERS=${fromEnv}`, reason(err));
      return attempts.fail(); // an explicit choice that does not work is not silently replaced
    }
  }
  attempts.tried('KAFKA_BROKERS', 'unset');

  const state = readInfraUpState();
  if (state && processAlive(state.pid)) {
    try {
      await probeKafka([state.brokers]);
      return {
        brokers: [state.brokers],
        version: state.version,
        source: 'infra-up',
        logFile: state.logFile,
        stop: async () => {}, // owned by `pnpm infra:down`
      };
    } catch (err) {
      attempts.tried(`broker from pnpm infra:up at ${state.brokers}`, reason(err));
    }
  } else {
    attempts.tried('broker from pnpm infra:up', 'none running');
  }

  const container = await fromTestcontainer('Kafka', attempts, async (): Promise<ProvidedKafka> => {
    const { KafkaContainer } = await import('@testcontainers/kafka');
    const started = await new KafkaContainer('confluentinc/cp-kafka:7.9.0').withKraft().start();
    return {
      brokers: [`${started.getHost()}:${started.getMappedPort(9093)}`],
      version: 'Confluent Platform 7.9.0 (Apache Kafka 3.9)',
      source: 'testcontainers',
      stop: async () => {
        await started.stop();
      },
    };
  });
  if (container) return container;

  const java = javaExecutable();
  if (!(await onPath(java)) && !existsSync(java)) {
    attempts.tried(
      'JVM broker',
      `no java (${java}); install a JDK 17+, e.g. apt-get install openjdk-17-jre-headless`,
    );
    return attempts.fail();
  }
  if (!(await onPath('mvn'))) {
    attempts.tried(
      'JVM broker',
      'no mvn on PATH to fetch the Kafka jars; install Maven, e.g. apt-get install maven',
    );
    return attempts.fail();
  }
  try {
    const started = Date.now();
    const broker = await JvmKafkaBroker.start();
    await warmUpCoordinators([broker.brokers]);
    infraLog(`Kafka ${broker.version} (JVM, KRaft) ready at ${broker.brokers} in ${Date.now() - started} ms`);
    return {
      brokers: [broker.brokers],
      version: broker.version,
      source: 'jvm',
      pid: broker.pid,
      logFile: broker.logFile,
      logTail: () => broker.logTail(),
      stop: async (options) => {
        await broker.stop({ keepWorkDir: options?.keepLogs ?? false });
      },
    };
  } catch (err) {
    attempts.tried('JVM broker from infra/kafka/pom.xml', err instanceof Error ? err.message : String(err));
    return attempts.fail();
  }
}
