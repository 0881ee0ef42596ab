import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testServices } from '@tm/infra';
import { eventually } from '@tm/pipeline-core/testing';
import { expect } from 'chai';
import { parseDocument } from 'yaml';
import { repoRoot } from './analyser.test-support.js';
import {
  expectEveryApplicationDecidedOnce,
  generatedApplications,
  KafkaAnalyserRun,
} from './analyser-kafka.test-support.js';

/** `tm run analyser` as a process of its own, configured by `configFile`; `started` resolves once it consumes. */
function startRunner(
  configFile: string,
  group: string,
): { child: ChildProcess; started: Promise<void>; exited: Promise<number | null>; output: () => string } {
  const child = spawn(
    process.execPath,
    [
      '--conditions=tm-source',
      '--import',
      'tsx',
      join(repoRoot, 'packages', 'runners', 'src', 'cli.ts'),
      'run',
      'analyser',
      '--config',
      configFile,
      '--group',
      group,
    ],
    { cwd: repoRoot, env: { ...process.env, LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let output = '';
  const started = new Promise<void>((resolve, reject) => {
    child.stdout?.setEncoding('utf8').on('data', (text: string) => {
      output += text;
      if (output.includes('"msg":"stage started"')) resolve();
    });
    void exited.then((code) => reject(new Error(`tm run analyser exited with ${code} before consuming`)));
  });
  started.catch(() => {});
  return { child, started, exited, output: () => output };
}

/**
 * The analyser process killed with SIGKILL mid-run and started again: every application is still decided exactly
 * once per campaign (the decisions and the consumed offsets go in one transaction), and SIGTERM stops it with exit
 * code 0.
 */
describe('tm run analyser, killed mid-run and restarted', function () {
  this.timeout(180_000);
  let run: KafkaAnalyserRun | undefined;
  let dir: string | undefined;
  const children: ChildProcess[] = [];

  after(async () => {
    for (const child of children)
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await run?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('decides every application exactly once per campaign across a SIGKILL', async () => {
    run = await KafkaAnalyserRun.prepare(generatedApplications(6000, 40_404), {
      rideOutMs: 60_000,
      initialDelayMs: 250,
      maxDelayMs: 5000,
    });
    // Slow enough that the kill lands mid-run: few applications at once, and Abram taking 30 ms.
    run.sims.abram.faults.set({ latency: { fixedMs: 30, jitterMs: 0 } });
    const { config } = run;
    const doc = parseDocument(readFileSync(join(repoRoot, 'config', 'pipeline.yaml'), 'utf8'));
    for (const [i] of config.events.dataStreams.entries())
      doc.setIn(['events', 'data-streams', i, 'topic'], config.topics.incomingEvents);
    doc.setIn(['events-analyser', 'concurrency'], 8);
    doc.setIn(['events-analyser', 'max-in-flight'], 64);
    doc.setIn(
      ['topics'],
      doc.createNode({
        candidates: config.topics.candidates,
        rejections: config.topics.rejections,
        partitions: 3,
      }),
    );
    for (const service of ['blacklist', 'casper', 'abram'] as const) {
      doc.setIn(['services', service, 'url'], config.services[service].url);
      doc.setIn(['services', service, 'timeout-ms'], 20_000);
    }
    doc.setIn(['infra', 'kafka', 'brokers'], testServices().kafkaBrokers.join(','));
    doc.setIn(['infra', 'kafka', 'session-timeout-ms'], 6000);
    dir = mkdtempSync(join(tmpdir(), 'analyser-process-'));
    const configFile = join(dir, 'pipeline.yaml');
    // Relative paths of the config (the blacklist file) resolve against its directory: keep them valid.
    writeFileSync(
      configFile,
      String(doc).replace(
        'file: examples/blacklist.yaml',
        `file: ${join(repoRoot, 'config', 'examples', 'blacklist.yaml')}`,
      ),
    );
    await run.publish();

    const first = startRunner(configFile, run.group);
    children.push(first.child);
    await first.started;
    await eventually(async () => (await run!.committed()) >= 500, 'some applications decided', 60_000);
    await new Promise((r) => setTimeout(r, 50 + Math.floor(Math.random() * 100)));
    first.child.kill('SIGKILL');
    await first.exited;
    const committedAtKill = await run.committed();
    expect(committedAtKill, 'killed mid-run').to.be.below(run.apps.length);

    const second = startRunner(configFile, run.group);
    children.push(second.child);
    await second.started;
    await run.waitUntilAllCommitted(120_000);
    second.child.kill('SIGTERM');
    expect(await second.exited, 'exit code after SIGTERM').to.equal(0);

    await expectEveryApplicationDecidedOnce(run);
    // The runners' logs (info level) name applications by number, never by phone.
    for (const runner of [first, second]) expect(runner.output()).not.to.match(/(?<!\d)7\d{10}(?!\d)/);
    expect(second.output()).to.contain('"msg":"stopped"');
    console.log(`      killed with ${committedAtKill} of ${run.apps.length} applications committed`);
  });
});
