/**
 * `pnpm infra:up | infra:down | infra:status`: the services the tests use, kept running for development.
 * `up` starts a JVM Kafka broker that outlives the command (tests find and reuse it through .tm-infra/kafka.json)
 * and makes sure PostgreSQL and Redis answer, starting them when they do not. `restart-kafka` kills that broker and
 * starts it again on the same data directory and port, as a fault test would.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { kafkaStateFile, probeKafka, warmUpCoordinators } from './kafka.js';
import { JvmKafkaBroker, type KafkaBrokerInfo, processAlive, stopProcess } from './kafka-broker.js';
import { infraStateDir } from './paths.js';
import { locatePostgres } from './postgres.js';
import { locateRedis } from './redis.js';

function runningBroker(): KafkaBrokerInfo | undefined {
  if (!existsSync(kafkaStateFile)) return undefined;
  const info = JSON.parse(readFileSync(kafkaStateFile, 'utf8')) as KafkaBrokerInfo;
  return processAlive(info.pid) ? info : undefined;
}

async function up(): Promise<void> {
  let broker = runningBroker();
  if (process.env.KAFKA_BROKERS) {
    console.log(`Kafka: KAFKA_BROKERS=${process.env.KAFKA_BROKERS} is set; not starting a broker`);
  } else if (broker) {
    console.log(`Kafka: already running at ${broker.brokers} (pid ${broker.pid})`);
  } else {
    mkdirSync(infraStateDir, { recursive: true });
    const workDir = join(infraStateDir, 'kafka');
    rmSync(workDir, { recursive: true, force: true });
    const started = await JvmKafkaBroker.start({ workDir, detached: true });
    await warmUpCoordinators([started.brokers]);
    broker = {
      brokers: started.brokers,
      version: started.version,
      pid: started.pid,
      workDir: started.workDir,
      logFile: started.logFile,
    };
    writeFileSync(kafkaStateFile, JSON.stringify(broker, null, 2));
    console.log(
      `Kafka: ${broker.version} started at ${broker.brokers} (pid ${broker.pid}, log ${broker.logFile})`,
    );
  }
  const pg = await locatePostgres();
  console.log(`PostgreSQL: ${pg.adminUrl} (${pg.source})`);
  const redis = await locateRedis();
  console.log(`Redis: ${redis.url} (${redis.source})`);
  console.log('\nFor runners started by hand:');
  console.log(
    `export KAFKA_BROKERS=${process.env.KAFKA_BROKERS ?? broker?.brokers} DATABASE_URL=${pg.adminUrl} REDIS_URL=${redis.url}`,
  );
}

/** Kills the broker `up` started (SIGKILL, as a crash) and starts it again on the same data directory and port. */
async function restartKafka(): Promise<void> {
  const broker = runningBroker();
  const workDir = join(infraStateDir, 'kafka');
  if (!broker && !existsSync(join(workDir, 'server.properties'))) {
    console.error('Kafka: no broker of infra:up to restart; run pnpm infra:up first');
    process.exitCode = 1;
    return;
  }
  if (broker) await stopProcess(broker.pid, 0);
  const started = await JvmKafkaBroker.start({ workDir, detached: true });
  const info: KafkaBrokerInfo = {
    brokers: started.brokers,
    version: started.version,
    pid: started.pid,
    workDir: started.workDir,
    logFile: started.logFile,
  };
  writeFileSync(kafkaStateFile, JSON.stringify(info, null, 2));
  console.log(`Kafka: restarted in place at ${info.brokers} (pid ${info.pid}, same data directory)`);
}

async function down(): Promise<void> {
  const broker = runningBroker();
  if (!broker) {
    console.log('Kafka: no broker started by infra:up is running');
  } else {
    await stopProcess(broker.pid, 20_000);
    console.log(`Kafka: stopped pid ${broker.pid}`);
  }
  rmSync(infraStateDir, { recursive: true, force: true });
  console.log('PostgreSQL and Redis are machine services; left running.');
}

async function status(): Promise<void> {
  const broker = runningBroker();
  if (!broker) {
    console.log('Kafka: not running (infra:up)');
    return;
  }
  try {
    await probeKafka([broker.brokers]);
    console.log(`Kafka: ${broker.version} at ${broker.brokers} answers (pid ${broker.pid})`);
  } catch (err) {
    console.log(`Kafka: pid ${broker.pid} alive but ${broker.brokers} does not answer: ${String(err)}`);
    process.exitCode = 1;
  }
}

const commands: Record<string, () => Promise<void>> = { up, down, status, 'restart-kafka': restartKafka };
const name = process.argv[2] ?? '';
const command = commands[name];
if (!command) {
  console.error('usage: infra/src/cli.ts up|down|status|restart-kafka');
  process.exit(2);
}
command().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
