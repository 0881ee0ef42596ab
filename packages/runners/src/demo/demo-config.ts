import { defaultConfigPath, loadPipelineConfig, type PipelineConfig } from '@tm/contracts';

/** How the demo's calls run: quick enough for a summary in under a minute, or slow enough for a person (`--serve`). */
export type DemoPace = 'batch' | 'serve';

/** The demo's timings per pace: the telephony's time scale and the ARM's result window (the thesis's is 60 s). */
export const DEMO_PACE = {
  /** A 90-second call lasts 0.3 s, an operator rests 0.8 s after it; an unsaved answered call is drafted after 10 s. */
  batch: { timeScale: 300, ringMs: 50, wrapUpSeconds: 240, resultWindowSeconds: 10 },
  /** A 90-second call lasts 9 s, an operator rests 2 s after it and has the real 60 seconds to save its result. */
  serve: { timeScale: 10, ringMs: 500, wrapUpSeconds: 20, resultWindowSeconds: 60 },
} as const;

/** What the demo changes in config/pipeline.yaml, printed with its summary so nobody mistakes it for production. */
export function demoOverrides(pace: DemoPace = 'batch'): string[] {
  const p = DEMO_PACE[pace];
  return [
    'transport: memory (every stage in this process)',
    'database: embedded PGlite',
    'Redis (ARM, security): an in-process store',
    'external services and the telephony: the simulators, in this process, answering in 1–2 ms',
    `telephony time: ×${p.timeScale} (a 90-second call lasts ${(90 / p.timeScale).toFixed(1)} s)`,
    `ARM result window: ${p.resultWindowSeconds} s, then the server saves a DRAFT (production: 60 s)`,
    're-call block: 0 minutes (a re-call is due at once; production: 120)',
    'calling hours: the whole day (00:00–24:00), so dispatch happens whatever the time of day',
    'operators: simulated, logging in to the ARM over HTTP on 127.0.0.1; passwords hashed with a low scrypt cost',
  ];
}

/**
 * The embedded default: the repository's pipeline config with its CSV folders under `dir`, the memory transport,
 * in-process simulators, security service, ARM and KPI dashboard on free loopback ports, calling hours widened to the
 * whole day, re-calls due at once, and the telephony's clock and the ARM's result window set by `pace`.
 */
export function demoConfig(
  dir: string,
  file = defaultConfigPath(),
  pace: DemoPace = 'batch',
): PipelineConfig {
  const config = loadPipelineConfig(file, { ...process.env, TM_CSV_DIR: dir });
  const p = DEMO_PACE[pace];
  config.infra.transport = 'memory';
  for (const service of ['blacklist', 'casper', 'abram', 'telephony'] as const) {
    config.simulators[service].port = 0;
    config.simulators[service].latency = { fixedMs: 1, jitterMs: 1 };
  }
  Object.assign(config.simulators.telephony, {
    timeScale: p.timeScale,
    ringMs: p.ringMs,
    wrapUpSeconds: p.wrapUpSeconds,
  });
  config.campaignEngine.dispatch.intervalMs = 250;
  config.dialer.pollIntervalMs = pace === 'batch' ? 100 : 500;
  for (const campaign of config.campaignEngine.campaigns) {
    campaign.callingHours = { from: '00:00', to: '24:00' };
    campaign.recallBlockMinutes = 0;
  }
  const loopback = { host: '127.0.0.1', port: 0 };
  Object.assign(config.security, loopback);
  // Every simulated operator logs in from 127.0.0.1: the per-address limit would count them as one person.
  config.security.loginLimits.perAddress = { max: 100_000, windowMs: 60_000 };
  config.security.password = { ...config.security.password, cost: 1024 };
  Object.assign(config.arm, loopback);
  config.arm.resultWindowMs = p.resultWindowSeconds * 1000;
  config.arm.resultSweepIntervalMs = pace === 'batch' ? 250 : 1000;
  config.arm.pollIntervalMs = pace === 'batch' ? 400 : 1000;
  config.kpi.resultLimitSeconds = p.resultWindowSeconds;
  config.kpi.http = loopback;
  return config;
}
