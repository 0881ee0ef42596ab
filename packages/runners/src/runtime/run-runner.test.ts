import { Writable } from 'node:stream';
import { StageMetrics } from '@tm/pipeline-core';
import { expect } from 'chai';
import { createLogger } from './logger.js';
import { runRunner } from './run-runner.js';
import { serviceRunnable } from './service-runnable.js';

/** A runner with one idle unit and its ops endpoint on a free port; `url` is read from its log line. */
async function startRunner(metrics: StageMetrics): Promise<{ url: string; stopped: Promise<number> }> {
  let resolveUrl!: (url: string) => void;
  const url = new Promise<string>((resolve) => {
    resolveUrl = resolve;
  });
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) {
        const entry = JSON.parse(line) as { url?: string };
        if (entry.url) resolveUrl(entry.url.replace('0.0.0.0', '127.0.0.1'));
      }
      done();
    },
  });
  const stopped = runRunner({
    stages: [serviceRunnable('idle', { start: async () => {}, stop: async () => {} })],
    metrics,
    logger: createLogger('run-runner-test', { level: 'info', destination }),
    opsPort: 0,
  });
  return { url: await url, stopped };
}

describe('runRunner', () => {
  it('serves Node’s process metrics (memory, heap, event-loop lag, GC) beside the stages’ own on /metrics', async () => {
    const metrics = new StageMetrics();
    const runner = await startRunner(metrics);
    try {
      const response = await fetch(`${runner.url}/metrics`);
      expect(response.status).to.equal(200);
      const text = await response.text();
      const value = (name: string) => Number(new RegExp(`^${name} (\\S+)`, 'm').exec(text)?.[1]);
      expect(value('process_resident_memory_bytes')).to.be.greaterThan(10_000_000);
      expect(value('nodejs_heap_size_used_bytes')).to.be.greaterThan(0);
      expect(text).to.match(/^nodejs_eventloop_lag_seconds \d/m);
      expect(text).to.match(/^# TYPE nodejs_gc_duration_seconds histogram$/m);
      expect(text).to.match(/^# TYPE pipeline_records_in_total counter$/m);
    } finally {
      process.emit('SIGTERM', 'SIGTERM');
    }
    expect(await runner.stopped).to.equal(0);
  });

  it('registers the process metrics once when a registry serves a second runner', async () => {
    const metrics = new StageMetrics();
    for (let i = 0; i < 2; i += 1) {
      const runner = await startRunner(metrics);
      process.emit('SIGTERM', 'SIGTERM');
      expect(await runner.stopped).to.equal(0);
    }
    const text = await metrics.registry.metrics();
    expect(text.match(/^# TYPE process_resident_memory_bytes /gm)).to.have.length(1);
  });
});
