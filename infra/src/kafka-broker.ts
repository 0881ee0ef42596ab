import { type ChildProcess, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, tail } from './exec.js';
import { infraLog } from './log.js';
import { freePort } from './net.js';
import { repoRoot } from './paths.js';

/** Which jar set to resolve from infra/kafka/pom.xml: the broker alone, or the broker plus kafka-tools. */
export type KafkaJarSet = 'broker' | 'tools';

const pomPath = join(repoRoot, 'infra', 'kafka', 'pom.xml');

/** The Kafka version pinned in infra/kafka/pom.xml. */
export function pinnedKafkaVersion(): string {
  const match = /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(readFileSync(pomPath, 'utf8'));
  if (!match?.[1]) throw new Error(`no <kafka.version> in ${pomPath}`);
  return match[1];
}

/** The java executable: $JAVA_HOME/bin/java when set, else `java` from PATH. */
export function javaExecutable(): string {
  return process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', 'java') : 'java';
}

/**
 * Copies the pinned Kafka jars (and their dependencies) from the local Maven repository, downloading from
 * Maven Central on the first run only. The copy is keyed by the pom's hash and reused while the pom is unchanged.
 * Returns the directory holding the jars.
 */
export async function ensureKafkaJars(set: KafkaJarSet = 'broker'): Promise<string> {
  const pom = readFileSync(pomPath);
  const stamp = createHash('sha256').update(pom).update(set).digest('hex');
  const dir = join(repoRoot, 'infra', 'kafka', 'target', set);
  const stampFile = join(dir, '.pom-sha256');
  if (existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp) return dir;

  const staging = `${dir}.${process.pid}.${randomBytes(3).toString('hex')}`;
  infraLog(`resolving Kafka ${pinnedKafkaVersion()} jars (${set}) with Maven into ${dir}`);
  const args = ['-q', '-B', '-f', pomPath, 'dependency:copy-dependencies', `-DoutputDirectory=${staging}`];
  if (set === 'tools') args.push('-Ptools');
  const result = await run('mvn', args, { timeoutMs: 15 * 60_000 });
  if (result.code !== 0) {
    rmSync(staging, { recursive: true, force: true });
    throw new Error(
      `mvn dependency:copy-dependencies failed (exit ${result.code}):\n${tail(result.stdout + result.stderr)}`,
    );
  }
  writeFileSync(join(staging, '.pom-sha256'), stamp);
  rmSync(dir, { recursive: true, force: true });
  try {
    renameSync(staging, dir);
  } catch (err) {
    // Another run finished the same copy first; theirs is as good as ours.
    rmSync(staging, { recursive: true, force: true });
    if (!existsSync(stampFile)) throw err;
  }
  return dir;
}

export interface JvmKafkaBrokerOptions {
  /** Working directory for config, data and logs; a fresh temp dir by default. */
  workDir?: string;
  /** Client port; a free port by default. */
  port?: number;
  /** JVM heap, e.g. "512m" (the default). */
  heap?: string;
  /** Run the broker as a detached process that outlives this one (used by `pnpm infra:up`). */
  detached?: boolean;
  /** How long to wait for "Kafka Server started". */
  readyTimeoutMs?: number;
}

/** What a started broker looks like from outside; also the shape persisted by `pnpm infra:up`. */
export interface KafkaBrokerInfo {
  brokers: string;
  version: string;
  pid: number;
  workDir: string;
  logFile: string;
}

const LOG4J = `log4j.rootLogger=INFO, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka=INFO
log4j.logger.org.apache.kafka=WARN
log4j.logger.org.apache.kafka.common.utils.AppInfoParser=INFO
log4j.logger.kafka.request.logger=WARN
log4j.logger.state.change.logger=WARN
log4j.logger.org.apache.zookeeper=WARN
`;

function serverProperties(port: number, controllerPort: number, dataDir: string): string {
  return `process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:${controllerPort}
listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}
advertised.listeners=PLAINTEXT://127.0.0.1:${port}
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=${dataDir}
num.partitions=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=10
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=true
delete.topic.enable=true
`;
}

/**
 * A real Apache Kafka broker (KRaft, combined broker + controller, one node) run as a JVM process from the jars
 * that infra/kafka/pom.xml pins. Storage is formatted in a temp dir; the log is kept in that dir.
 */
export class JvmKafkaBroker implements KafkaBrokerInfo {
  private constructor(
    readonly brokers: string,
    readonly version: string,
    readonly pid: number,
    readonly workDir: string,
    readonly logFile: string,
    private readonly child: ChildProcess | undefined,
  ) {}

  static async start(options: JvmKafkaBrokerOptions = {}): Promise<JvmKafkaBroker> {
    const jars = await ensureKafkaJars('broker');
    const workDir = options.workDir ?? mkdtempSync(join(tmpdir(), 'tm-kafka-'));
    mkdirSync(workDir, { recursive: true });
    const port = options.port ?? (await freePort());
    const controllerPort = await freePort();
    const dataDir = join(workDir, 'data');
    const propsFile = join(workDir, 'server.properties');
    const log4jFile = join(workDir, 'log4j.properties');
    const logFile = join(workDir, 'broker.log');
    writeFileSync(propsFile, serverProperties(port, controllerPort, dataDir));
    writeFileSync(log4jFile, LOG4J);

    const java = javaExecutable();
    const classpath = `${jars}/*`;
    const log4jOpt = `-Dlog4j.configuration=file:${log4jFile}`;
    const clusterId = newClusterId();
    const format = await run(
      java,
      [
        '-Xmx256m',
        '-cp',
        classpath,
        log4jOpt,
        'kafka.tools.StorageTool',
        'format',
        '-t',
        clusterId,
        '-c',
        propsFile,
      ],
      { timeoutMs: 120_000 },
    );
    if (format.code !== 0) {
      throw new Error(
        `kafka-storage format failed (exit ${format.code}):\n${tail(format.stdout + format.stderr)}`,
      );
    }

    const heap = options.heap ?? '512m';
    const out = openSync(logFile, 'a');
    const child = spawn(
      java,
      [
        `-Xmx${heap}`,
        `-Xms${heap}`,
        '-XX:+UseG1GC',
        '-XX:MaxGCPauseMillis=20',
        '-Djava.awt.headless=true',
        '-cp',
        classpath,
        log4jOpt,
        'kafka.Kafka',
        propsFile,
      ],
      { stdio: ['ignore', out, out], detached: options.detached ?? false },
    );
    if (child.pid === undefined) throw new Error(`could not spawn ${java}`);
    const pid = child.pid;
    let exited: number | null | undefined;
    child.once('exit', (code) => {
      exited = code;
    });

    const deadline = Date.now() + (options.readyTimeoutMs ?? 90_000);
    let logText = '';
    while (Date.now() < deadline) {
      logText = existsSync(logFile) ? readFileSync(logFile, 'utf8') : '';
      if (logText.includes('Kafka Server started')) break;
      if (exited !== undefined) {
        throw new Error(
          `Kafka broker exited with code ${exited} before it was ready; log ${logFile}:\n${tail(logText)}`,
        );
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    if (!logText.includes('Kafka Server started')) {
      child.kill('SIGKILL');
      throw new Error(`Kafka broker not ready within the timeout; log ${logFile}:\n${tail(logText)}`);
    }
    const version = /Kafka version: (\S+)/.exec(logText)?.[1] ?? pinnedKafkaVersion();
    if (options.detached) child.unref();
    return new JvmKafkaBroker(
      `127.0.0.1:${port}`,
      version,
      pid,
      workDir,
      logFile,
      options.detached ? undefined : child,
    );
  }

  /** The last lines of the broker log, for failure reports. */
  logTail(lines = 40): string {
    return existsSync(this.logFile) ? tail(readFileSync(this.logFile, 'utf8'), lines) : '(no broker log)';
  }

  /** Stops the broker (SIGTERM, then SIGKILL after the grace period) and removes its work dir unless kept. */
  async stop(options: { keepWorkDir?: boolean; graceMs?: number } = {}): Promise<void> {
    await stopProcess(this.pid, options.graceMs ?? 15_000, this.child);
    if (!options.keepWorkDir) rmSync(this.workDir, { recursive: true, force: true });
  }
}

/** True while a process with this pid exists. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** SIGTERM, wait up to graceMs for the process to go, then SIGKILL. */
export async function stopProcess(pid: number, graceMs: number, child?: ChildProcess): Promise<void> {
  if (!processAlive(pid)) return;
  const gone = child
    ? new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) resolve();
        else child.once('exit', () => resolve());
      })
    : undefined;
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && processAlive(pid)) {
    if (gone) {
      await Promise.race([gone, new Promise((r) => setTimeout(r, 100))]);
    } else {
      await new Promise((r) => setTimeout(r, 100));
    }
    if (child && (child.exitCode !== null || child.signalCode !== null)) return;
  }
  if (processAlive(pid)) process.kill(pid, 'SIGKILL');
}

/**
 * A random KRaft cluster id (16 bytes, base64url) that does not start with `-`: kafka-storage would read such an
 * id as an option and refuse to format (Kafka's own Uuid.randomUuid skips those ids for the same reason).
 */
export function newClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}
