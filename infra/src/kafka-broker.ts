import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, tail } from './exec.js';
import { mavenOutputKeptByPom } from './maven-output.js';
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
  const goal = ['dependency:copy-dependencies'];
  if (set === 'tools') goal.push('-Ptools');
  return await mavenOutputKeptByPom({
    pomPath,
    variant: set,
    dir: join(repoRoot, 'infra', 'kafka', 'target', set),
    what: `resolving Kafka ${pinnedKafkaVersion()} jars (${set})`,
    goal,
    timeoutMs: 15 * 60_000,
  });
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

/** Where a broker keeps its config, data and log, and the ports it listens on. */
interface BrokerLayout {
  workDir: string;
  port: number;
  controllerPort: number;
  propsFile: string;
  log4jFile: string;
  logFile: string;
  dataDir: string;
}

function layoutOf(workDir: string, port: number, controllerPort: number): BrokerLayout {
  return {
    workDir,
    port,
    controllerPort,
    propsFile: join(workDir, 'server.properties'),
    log4jFile: join(workDir, 'log4j.properties'),
    logFile: join(workDir, 'broker.log'),
    dataDir: join(workDir, 'data'),
  };
}

/** The layout of a work dir a broker ran in before (its server.properties names the ports), if any. */
function existingLayout(workDir: string): BrokerLayout | undefined {
  const propsFile = join(workDir, 'server.properties');
  if (!existsSync(propsFile) || !existsSync(join(workDir, 'data', 'meta.properties'))) return undefined;
  const props = readFileSync(propsFile, 'utf8');
  const port = /PLAINTEXT:\/\/127\.0\.0\.1:(\d+)/.exec(props)?.[1];
  const controllerPort = /CONTROLLER:\/\/127\.0\.0\.1:(\d+)/.exec(props)?.[1];
  if (!port || !controllerPort) return undefined;
  return layoutOf(workDir, Number(port), Number(controllerPort));
}

/** Writes the config and formats the storage of a new work dir. */
async function formatStorage(layout: BrokerLayout, classpath: string): Promise<void> {
  writeFileSync(layout.propsFile, serverProperties(layout.port, layout.controllerPort, layout.dataDir));
  writeFileSync(layout.log4jFile, LOG4J);
  const format = await run(
    javaExecutable(),
    [
      '-Xmx256m',
      '-cp',
      classpath,
      `-Dlog4j.configuration=file:${layout.log4jFile}`,
      'kafka.tools.StorageTool',
      'format',
      '-t',
      newClusterId(),
      '-c',
      layout.propsFile,
    ],
    { timeoutMs: 120_000 },
  );
  if (format.code !== 0) {
    throw new Error(
      `kafka-storage format failed (exit ${format.code}):\n${tail(format.stdout + format.stderr)}`,
    );
  }
}

interface LaunchedBroker {
  pid: number;
  child: ChildProcess | undefined;
  version: string;
}

/**
 * Starts the broker process of a formatted work dir and waits for "Kafka Server started" in the part of its log
 * this launch wrote (the log is appended to across restarts).
 */
async function launch(
  layout: BrokerLayout,
  classpath: string,
  options: Pick<JvmKafkaBrokerOptions, 'heap' | 'detached' | 'readyTimeoutMs'>,
): Promise<LaunchedBroker> {
  const java = javaExecutable();
  const heap = options.heap ?? '512m';
  const logStart = existsSync(layout.logFile) ? statSync(layout.logFile).size : 0;
  const out = openSync(layout.logFile, 'a');
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
      `-Dlog4j.configuration=file:${layout.log4jFile}`,
      'kafka.Kafka',
      layout.propsFile,
    ],
    { stdio: ['ignore', out, out], detached: options.detached ?? false },
  );
  closeSync(out);
  if (child.pid === undefined) throw new Error(`could not spawn ${java}`);
  const pid = child.pid;
  let exited: number | null | undefined;
  child.once('exit', (code) => {
    exited = code;
  });

  const deadline = Date.now() + (options.readyTimeoutMs ?? 90_000);
  let logText = '';
  while (Date.now() < deadline) {
    logText = existsSync(layout.logFile)
      ? readFileSync(layout.logFile).subarray(logStart).toString('utf8')
      : '';
    if (logText.includes('Kafka Server started')) break;
    if (exited !== undefined) {
      throw new Error(
        `Kafka broker exited with code ${exited} before it was ready; log ${layout.logFile}:\n${tail(logText)}`,
      );
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  if (!logText.includes('Kafka Server started')) {
    child.kill('SIGKILL');
    throw new Error(`Kafka broker not ready within the timeout; log ${layout.logFile}:\n${tail(logText)}`);
  }
  const version = /Kafka version: (\S+)/.exec(logText)?.[1] ?? pinnedKafkaVersion();
  if (options.detached) child.unref();
  return { pid, child: options.detached ? undefined : child, version };
}

/**
 * A real Apache Kafka broker (KRaft, combined broker + controller, one node) run as a JVM process from the jars
 * that infra/kafka/pom.xml pins. Storage is formatted in a work dir (a temp dir by default) that also holds the
 * config and the log. The broker can be killed and started again in place, on the same data and ports, as a fault
 * test needs ({@link kill}, {@link restart}); {@link JvmKafkaBroker.start} on a work dir a broker ran in before
 * reopens it rather than formatting new storage.
 */
export class JvmKafkaBroker implements KafkaBrokerInfo {
  readonly brokers: string;
  #version: string;
  #pid: number;
  #child: ChildProcess | undefined;

  private constructor(
    private readonly layout: BrokerLayout,
    private readonly classpath: string,
    private readonly options: JvmKafkaBrokerOptions,
    launched: LaunchedBroker,
  ) {
    this.brokers = `127.0.0.1:${layout.port}`;
    this.#version = launched.version;
    this.#pid = launched.pid;
    this.#child = launched.child;
  }

  get version(): string {
    return this.#version;
  }

  /** The process id of the running broker (a new one after each {@link restart}). */
  get pid(): number {
    return this.#pid;
  }

  get workDir(): string {
    return this.layout.workDir;
  }

  get logFile(): string {
    return this.layout.logFile;
  }

  static async start(options: JvmKafkaBrokerOptions = {}): Promise<JvmKafkaBroker> {
    const jars = await ensureKafkaJars('broker');
    const classpath = `${jars}/*`;
    const workDir = options.workDir ?? mkdtempSync(join(tmpdir(), 'tm-kafka-'));
    mkdirSync(workDir, { recursive: true });
    let layout = existingLayout(workDir);
    if (layout && options.port !== undefined && options.port !== layout.port) {
      throw new Error(`${workDir} holds a broker of port ${layout.port}, not ${options.port}`);
    }
    if (!layout) {
      layout = layoutOf(workDir, options.port ?? (await freePort()), await freePort());
      await formatStorage(layout, classpath);
    }
    return new JvmKafkaBroker(layout, classpath, options, await launch(layout, classpath, options));
  }

  /** The last lines of the broker log, for failure reports. */
  logTail(lines = 40): string {
    return existsSync(this.logFile) ? tail(readFileSync(this.logFile, 'utf8'), lines) : '(no broker log)';
  }

  /** Kills the broker process at once (SIGKILL, as a crash), keeping its work dir; resolves once it is gone. */
  async kill(): Promise<void> {
    await stopProcess(this.#pid, 0, this.#child);
  }

  /**
   * Stops the broker (SIGKILL by default, as a crash; `graceful` for SIGTERM), waits `downMs`, and starts it again
   * on the same work dir, data and ports. Resolves once the broker is ready again.
   */
  async restart(options: { graceful?: boolean; downMs?: number } = {}): Promise<void> {
    await stopProcess(this.#pid, options.graceful ? 15_000 : 0, this.#child);
    if (options.downMs) await new Promise((r) => setTimeout(r, options.downMs));
    await this.resume();
  }

  /** Starts the broker again after {@link kill}, on the same work dir, data and ports. */
  async resume(): Promise<void> {
    if (processAlive(this.#pid)) throw new Error(`Kafka broker pid ${this.#pid} is still running`);
    const launched = await launch(this.layout, this.classpath, this.options);
    this.#pid = launched.pid;
    this.#child = launched.child;
    this.#version = launched.version;
  }

  /** Stops the broker (SIGTERM, then SIGKILL after the grace period) and removes its work dir unless kept. */
  async stop(options: { keepWorkDir?: boolean; graceMs?: number } = {}): Promise<void> {
    await stopProcess(this.#pid, options.graceMs ?? 15_000, this.#child);
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

/**
 * SIGTERM, wait up to graceMs for the process to go, then SIGKILL (at once when graceMs is 0, as a crash), and wait
 * until it is gone (for a child of this process: until it exited, so the ports are free).
 */
export async function stopProcess(pid: number, graceMs: number, child?: ChildProcess): Promise<void> {
  const exited = () => (child ? child.exitCode !== null || child.signalCode !== null : !processAlive(pid));
  if (exited() || !processAlive(pid)) return;
  const gone = child
    ? new Promise<void>((resolve) => {
        if (exited()) resolve();
        else child.once('exit', () => resolve());
      })
    : undefined;
  const waitGone = async (ms: number) => {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline && !exited()) {
      await Promise.race([gone, new Promise((r) => setTimeout(r, 50))]);
    }
    return exited();
  };
  if (graceMs > 0) {
    process.kill(pid, 'SIGTERM');
    if (await waitGone(graceMs)) return;
  }
  if (processAlive(pid)) process.kill(pid, 'SIGKILL');
  await waitGone(10_000);
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
