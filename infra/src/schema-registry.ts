/**
 * A real Confluent-compatible Schema Registry for the integration tests that need one: Apicurio Registry 3, run as
 * a JVM process from its own distribution on Maven Central (ADR 0124), bound to 127.0.0.1 on free ports, with its
 * H2 storage in a file of a temp work dir so that it can be killed and started again in place with its schemas, as
 * an outage test needs. Started only by the tests that ask for it ({@link provideSchemaRegistry}), not for every
 * integration run.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
} from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestServiceUnavailableError } from './attempts.js';
import { run, tail } from './exec.js';
import { processAlive, stopProcess } from './kafka-broker.js';
import { infraLog } from './log.js';
import { mavenOutputKeptByPom } from './maven-output.js';
import { freePort } from './net.js';
import { repoRoot } from './paths.js';

const pomPath = join(repoRoot, 'infra', 'schema-registry', 'pom.xml');
/** Apicurio Registry 3 is built for Java 21 (class file version 65). */
const MIN_JAVA = 21;

/** The Apicurio Registry version pinned in infra/schema-registry/pom.xml. */
export function pinnedApicurioVersion(): string {
  const match = /<apicurio\.version>([^<]+)<\/apicurio\.version>/.exec(readFileSync(pomPath, 'utf8'));
  if (!match?.[1]) throw new Error(`no <apicurio.version> in ${pomPath}`);
  return match[1];
}

/**
 * Unpacks the pinned Apicurio distribution from the local Maven repository, downloading it from Maven Central on
 * the first run only (about 160 MB). The copy is keyed by the pom's hash and reused while the pom is unchanged.
 * Returns the directory holding `quarkus-run.jar`.
 */
export async function ensureApicurioDistribution(): Promise<string> {
  return await mavenOutputKeptByPom({
    pomPath,
    dir: join(repoRoot, 'infra', 'schema-registry', 'target', 'apicurio'),
    what: `unpacking Apicurio Registry ${pinnedApicurioVersion()}`,
    // overWriteReleases: unpack even when the plugin's markers say an earlier run did (into another directory).
    goal: ['dependency:unpack', '-Dmdep.overWriteReleases=true'],
    timeoutMs: 20 * 60_000,
    complete: (staging) => existsSync(join(staging, 'quarkus-run.jar')),
  });
}

/** The major version a `java` executable reports, or undefined when it does not run. */
async function javaMajor(java: string): Promise<number | undefined> {
  const result = await run(java, ['-version'], { timeoutMs: 30_000 });
  const match = /version "(\d+)(?:\.(\d+))?/.exec(result.stderr + result.stdout);
  if (result.code !== 0 || !match) return undefined;
  const major = Number(match[1]);
  return major === 1 ? Number(match[2]) : major;
}

/**
 * A java executable of version 21 or newer, for Apicurio: `$APICURIO_JAVA_HOME`, then `$JAVA_HOME`, then `java`
 * on the PATH, then the newest JDK under /usr/lib/jvm. Undefined when there is none.
 */
export async function findApicurioJava(env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  const candidates = [env.APICURIO_JAVA_HOME, env.JAVA_HOME]
    .filter((home): home is string => Boolean(home))
    .map((home) => join(home, 'bin', 'java'));
  candidates.push('java');
  const jvms = '/usr/lib/jvm';
  if (existsSync(jvms)) {
    for (const entry of readdirSync(jvms).sort().reverse()) candidates.push(join(jvms, entry, 'bin', 'java'));
  }
  for (const java of candidates) {
    if (java !== 'java' && !existsSync(java)) continue;
    if (((await javaMajor(java)) ?? 0) >= MIN_JAVA) return java;
  }
  return undefined;
}

export interface ApicurioRegistryOptions {
  /** JVM heap (default 384m). */
  heap?: string;
  /** How long to wait for the registry to answer (default 240,000 ms: Quarkus starts slowly on a busy machine). */
  readyTimeoutMs?: number;
}

/** Where a registry runs: its JDK, distribution, work dir and ports. */
interface Layout {
  readonly java: string;
  readonly distribution: string;
  readonly workDir: string;
  readonly port: number;
  readonly managementPort: number;
  readonly options: ApicurioRegistryOptions;
}

/**
 * Apicurio Registry run as a JVM process: HTTP API and management interface on free ports of 127.0.0.1 (Quarkus
 * would listen on every interface by default), storage in H2 in a file of its work dir, no authentication (its
 * default). {@link url} is its Confluent-compatible API.
 */
export class ApicurioRegistry {
  /** The Confluent-compatible API: `http://127.0.0.1:<port>/apis/ccompat/v7`. */
  readonly url: string;
  /** How long the first start took until the API answered, ms. */
  readonly startupMs: number;
  readonly #layout: Layout;
  #pid: number;
  #child: ChildProcess | undefined;

  private constructor(layout: Layout, launched: Launched) {
    this.#layout = layout;
    this.url = `http://127.0.0.1:${layout.port}/apis/ccompat/v7`;
    this.startupMs = launched.ms;
    this.#pid = launched.pid;
    this.#child = launched.child;
  }

  get workDir(): string {
    return this.#layout.workDir;
  }

  get logFile(): string {
    return join(this.workDir, 'registry.log');
  }

  /** The process id of the running registry (a new one after each {@link resume}). */
  get pid(): number {
    return this.#pid;
  }

  /**
   * Unpacks the distribution if needed and starts a registry in a new work dir.
   *
   * @throws {TestServiceUnavailableError} when no JDK 21+ is found.
   */
  static async start(options: ApicurioRegistryOptions = {}): Promise<ApicurioRegistry> {
    const java = await findApicurioJava();
    if (!java) {
      throw new TestServiceUnavailableError('Schema Registry', [
        `Apicurio Registry ${pinnedApicurioVersion()}: needs a JDK ${MIN_JAVA} or newer, none in $APICURIO_JAVA_HOME, $JAVA_HOME, on the PATH or under /usr/lib/jvm`,
      ]);
    }
    const layout: Layout = {
      java,
      distribution: await ensureApicurioDistribution(),
      workDir: mkdtempSync(join(tmpdir(), 'tm-apicurio-')),
      port: await freePort(),
      managementPort: await freePort(),
      options,
    };
    return new ApicurioRegistry(layout, await launch(layout));
  }

  /** Kills the registry at once (SIGKILL, as a crash), keeping its storage; resolves once it is gone. */
  async kill(): Promise<void> {
    await stopProcess(this.#pid, 0, this.#child);
  }

  /** Starts it again after {@link kill}, on the same storage and ports; resolves with the ms it took to answer. */
  async resume(): Promise<number> {
    if (processAlive(this.#pid)) throw new Error(`Apicurio Registry pid ${this.#pid} is still running`);
    const launched = await launch(this.#layout);
    this.#pid = launched.pid;
    this.#child = launched.child;
    return launched.ms;
  }

  /**
   * Stops it (SIGTERM, so that the JVM writes its class-data archive for the next start; SIGKILL after the grace
   * period) and removes its work dir.
   */
  async stop(graceMs = 30_000): Promise<void> {
    await stopProcess(this.#pid, graceMs, this.#child);
    rmSync(this.workDir, { recursive: true, force: true });
  }

  /** The last lines of its log, for failure reports. */
  logTail(lines = 40): string {
    return existsSync(this.logFile) ? tail(readFileSync(this.logFile, 'utf8'), lines) : '(no registry log)';
  }
}

interface Launched {
  pid: number;
  child: ChildProcess;
  ms: number;
}

/**
 * Where the JVM keeps the registry's class-data archive (AppCDS) between runs: created when a registry stops
 * gracefully, it about halves the next start. Outside the repository, so that a fresh clone on the same machine
 * (CI) finds it; the JVM recreates it when the JDK or the jars change.
 */
function classDataArchive(java: string): string {
  const dir = join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'tm-infra');
  mkdirSync(dir, { recursive: true });
  const jdk = createHash('sha256').update(java).digest('hex').slice(0, 12);
  return join(dir, `apicurio-${pinnedApicurioVersion()}-${jdk}.jsa`);
}

async function launch(layout: Layout): Promise<Launched> {
  const started = Date.now();
  const logFile = join(layout.workDir, 'registry.log');
  const logStart = existsSync(logFile) ? statSync(logFile).size : 0;
  const out = openSync(logFile, 'a');
  const heap = layout.options.heap ?? '384m';
  const child = spawn(
    layout.java,
    [
      `-Xmx${heap}`,
      '-XX:TieredStopAtLevel=1', // a test registry answers little; C1 alone starts it sooner
      '-XX:+UseSerialGC',
      '-XX:+AutoCreateSharedArchive',
      `-XX:SharedArchiveFile=${classDataArchive(layout.java)}`,
      '-Xlog:cds=off',
      '-Djava.awt.headless=true',
      '-Dquarkus.http.host=127.0.0.1',
      `-Dquarkus.http.port=${layout.port}`,
      '-Dquarkus.management.host=127.0.0.1',
      `-Dquarkus.management.port=${layout.managementPort}`,
      `-Dapicurio.datasource.url=jdbc:h2:file:${join(layout.workDir, 'registry')}`,
      '-Dquarkus.http.access-log.enabled=false',
      '-jar',
      join(layout.distribution, 'quarkus-run.jar'),
    ],
    { cwd: layout.workDir, stdio: ['ignore', out, out] },
  );
  closeSync(out);
  if (child.pid === undefined) throw new Error(`could not spawn ${layout.java}`);
  let exited: number | null | undefined;
  child.once('exit', (code) => {
    exited = code;
  });
  const logSoFar = () => readFileSync(logFile).subarray(logStart).toString('utf8');
  const deadline = started + (layout.options.readyTimeoutMs ?? 240_000);
  const probe = `http://127.0.0.1:${layout.port}/apis/ccompat/v7/subjects`;
  while (Date.now() < deadline) {
    if (exited !== undefined) {
      throw new Error(
        `Apicurio Registry exited with code ${exited} before it answered; log ${logFile}:\n${tail(logSoFar())}`,
      );
    }
    const ok = await fetch(probe, { signal: AbortSignal.timeout(2_000) }).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return { pid: child.pid, child, ms: Date.now() - started };
    await new Promise((r) => setTimeout(r, 250));
  }
  child.kill('SIGKILL');
  throw new Error(
    `Apicurio Registry did not answer within the timeout; log ${logFile}:\n${tail(logSoFar())}`,
  );
}

let provided: Promise<ApicurioRegistry> | undefined;

/**
 * The Schema Registry of this test process: started on the first call (a test's `before`), shared by every test
 * that asks, stopped by the mocha global teardown ({@link releaseSchemaRegistry}) or, failing that, killed when
 * the process exits. A test may kill and resume it (its storage survives); it must leave it running. Only the
 * tests that call this pay for it (half a minute to a minute of JVM start on a busy machine).
 *
 * @throws {TestServiceUnavailableError} when no JDK 21+ is found; the caller decides whether to skip.
 */
export function provideSchemaRegistry(): Promise<ApicurioRegistry> {
  provided ??= ApicurioRegistry.start().then((registry) => {
    infraLog(
      `Apicurio Registry ${pinnedApicurioVersion()} at ${registry.url}, started in ${registry.startupMs} ms (work dir ${registry.workDir})`,
    );
    process.once('exit', () => {
      if (processAlive(registry.pid)) process.kill(registry.pid, 'SIGKILL');
      rmSync(registry.workDir, { recursive: true, force: true });
    });
    return registry;
  });
  provided.catch(() => {
    provided = undefined;
  });
  return provided;
}

/**
 * {@link provideSchemaRegistry} for a mocha hook: skips the suite, saying why, when no JDK 21+ is found (the
 * registry cannot run on this machine); any other failure fails it.
 */
export async function schemaRegistryOrSkip(context: { skip(): void }): Promise<ApicurioRegistry> {
  try {
    return await provideSchemaRegistry();
  } catch (err) {
    if (!(err instanceof TestServiceUnavailableError)) throw err;
    infraLog(`skipping: ${err.message}`);
    context.skip();
    throw err; // not reached: skip() throws
  }
}

/** Stops the registry {@link provideSchemaRegistry} started, if it did (gracefully: the next start is faster). */
export async function releaseSchemaRegistry(): Promise<void> {
  const registry = await provided?.catch(() => undefined);
  provided = undefined;
  await registry?.stop();
}
