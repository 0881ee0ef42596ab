/**
 * `tm run kpi` as a process of its own on real Kafka: killed with SIGKILL while it aggregates, restarted, and found
 * with the same totals a run without the crash gives — nothing lost, nothing counted twice (ADR 0111).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testServices, uniqueName } from '@tm/infra';
import { kafkaTransport, type Transport } from '@tm/pipeline-core';
import { eventually, produce } from '@tm/pipeline-core/testing';
import { expect } from 'chai';
import { engineConfig, writeEngineConfig } from '../campaign/engine/test-support.js';
import { repoRoot } from '../intake/testing/run-tm.js';
import { workingDay } from './kpi-sample-events.js';
import { kpiOverrides } from './kpi-test-config.test-support.js';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

interface KpiProcess {
  child: ChildProcess;
  exited: Promise<number | null>;
  log(): string;
}

function startKpi(configFile: string, port: number): KpiProcess {
  const child = spawn(
    process.execPath,
    [
      '--conditions=tm-source',
      '--import',
      'tsx',
      join(repoRoot, 'packages/runners/src/cli.ts'),
      'run',
      'kpi',
      '--config',
      configFile,
      '--port',
      String(port),
    ],
    { cwd: repoRoot, env: { ...process.env, LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let log = '';
  child.stdout?.setEncoding('utf8').on('data', (s: string) => {
    log += s;
  });
  child.stderr?.setEncoding('utf8').on('data', (s: string) => {
    log += s;
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exited, log: () => log };
}

/** The counters of every day window the API has (the run may straddle Moscow midnight), summed. */
async function dayTotals(port: number): Promise<Record<string, number>> {
  const response = await fetch(`http://127.0.0.1:${port}/api/kpi/v1/series?size=day&count=2`);
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  const series = (await response.json()) as { values: Record<string, number[]> };
  return Object.fromEntries(
    Object.entries(series.values).map(([name, v]) => [name, v.reduce((a, b) => a + b, 0)]),
  );
}

async function answering(port: number): Promise<boolean> {
  try {
    return (await fetch(`http://127.0.0.1:${port}/api/kpi/v1/snapshot`)).ok;
  } catch {
    return false;
  }
}

describe('tm run kpi as a process (Kafka)', function () {
  this.timeout(240_000);
  let dir: string;
  let transport: Transport;
  const processes: KpiProcess[] = [];

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'tm-kpi-'));
    transport = kafkaTransport({ brokers: testServices().kafkaBrokers });
  });
  after(async () => {
    for (const p of processes) if (p.child.exitCode === null) p.child.kill('SIGKILL');
    await transport.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('killed with SIGKILL while aggregating, finds the same totals after a restart', async () => {
    const overrides = [
      ...kpiOverrides(uniqueName, testServices().kafkaBrokers),
      [['kpi', 'flush-interval-ms'], 100] as const,
      [['infra', 'kafka', 'session-timeout-ms'], 6_000] as const, // the restarted process waits this long for the dead one's partitions
    ];
    const configFile = writeEngineConfig(dir, overrides);
    const config = engineConfig(overrides);
    const port = await freePort();
    // 3,000 clients: about 15,000 records over every topic, a minute back from now
    const day = workingDay(config, Date.now() - 60_000, 3_000, 3);
    const expected = {
      applications: day.expected.applications,
      candidates: day.expected.candidates,
      rejections: day.expected.rejections,
      dispatches: day.expected.candidates,
      'calls.started': day.expected.calls,
      'calls.ANSWERED': day.expected.answered,
      'results.FIXED': day.expected.fixed,
      'results.DRAFT': day.expected.drafts,
    };

    const first = startKpi(configFile, port);
    processes.push(first);
    await eventually(() => answering(port), 'the first process to serve its API', 90_000);
    await produce(transport, day.records.slice(0, day.records.length / 2));
    // kill it mid-run: some records are counted, others not yet, and the rest are still being produced
    const rest = produce(transport, day.records.slice(day.records.length / 2));
    await eventually(async () => ((await dayTotals(port)).applications ?? 0) > 0, 'the first counts', 60_000);
    first.child.kill('SIGKILL');
    expect(await first.exited).to.equal(null); // killed, not exited
    await rest;

    const second = startKpi(configFile, port);
    processes.push(second);
    await eventually(() => answering(port), 'the restarted process to serve its API', 90_000);
    await eventually(
      async () =>
        ((await dayTotals(port))['calls.started'] ?? 0) >= expected['calls.started'] &&
        ((await dayTotals(port)).applications ?? 0) >= expected.applications,
      'every record counted after the restart',
      90_000,
    );
    await new Promise((r) => setTimeout(r, 1_500)); // more flushes: anything counted twice would show now
    const totals = await dayTotals(port);
    expect(Object.fromEntries(Object.keys(expected).map((k) => [k, totals[k] ?? 0]))).to.deep.equal(expected);
    const snapshot = (await (await fetch(`http://127.0.0.1:${port}/api/kpi/v1/snapshot`)).json()) as {
      gauges: { draftsWaiting: number; operators: unknown };
    };
    expect(snapshot.gauges.draftsWaiting).to.equal(day.expected.drafts);
    expect(snapshot.gauges.operators).to.deep.equal({ loggedIn: 2, ready: 1, onBreak: 1 });
    expect(second.log()).to.match(/"restoredWindows":[1-9]/); // it resumed from the changelog, not from zero

    second.child.kill('SIGTERM');
    expect(await second.exited).to.equal(0);
  });
});
