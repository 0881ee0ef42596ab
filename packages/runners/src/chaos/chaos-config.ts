import { readFileSync, writeFileSync } from 'node:fs';
import { loadPipelineConfig, type PipelineConfig } from '@tm/contracts';
import { parseDocument } from 'yaml';
import type { TaskWait } from './invariants.js';

/**
 * What a chaos run changes in the written pipeline config (beyond writePipelineConfig's folders, ports and names),
 * so the calls of a few minutes' load are made, answered and saved within the run (ADR 0156): the telephony's clock
 * ×300 (a 90-second call lasts 0.3 s), re-calls due at once, a 10-second result window, a one-minute call-start
 * timeout checked every 5 s, and the simulated operators' logins neither slowed by scrypt nor limited per address.
 */
export const CHAOS_CONFIG_OVERRIDES: readonly (readonly [readonly string[], unknown])[] = [
  [['simulators', 'telephony', 'time-scale'], 300],
  [['simulators', 'telephony', 'ring-ms'], 50],
  [['simulators', 'telephony', 'wrap-up-seconds'], 60],
  [['simulators', 'telephony', 'latency'], { 'fixed-ms': 1, 'jitter-ms': 1 }],
  [['dialer', 'poll-interval-ms'], 250],
  [['campaign-engine', 'dispatch', 'call-start-timeout-ms'], 60_000],
  [['campaign-engine', 'dispatch', 'timeout-check-interval-ms'], 5_000],
  [['campaign-engine', 'defaults', 'recall-block-minutes'], 0],
  [['arm', 'result-window-seconds'], 10],
  [['arm', 'result-sweep-interval-ms'], 500],
  [['arm', 'poll-interval-ms'], 500],
  [['security', 'password', 'scrypt-cost'], 1024],
  [['security', 'login-limits', 'per-login'], { max: 100_000, 'window-ms': 60_000 }],
  [['security', 'login-limits', 'per-address'], { max: 100_000, 'window-ms': 60_000 }],
];

/** Applies {@link CHAOS_CONFIG_OVERRIDES} to a written config file; returns the config as loaded again. */
export function applyChaosOverrides(file: string): PipelineConfig {
  const doc = parseDocument(readFileSync(file, 'utf8'));
  for (const [path, value] of CHAOS_CONFIG_OVERRIDES) doc.setIn(path, value);
  writeFileSync(file, doc.toString());
  return loadPipelineConfig(file, {});
}

/** Slack on each limit: a runner restarted by the last fault, a poll interval or two, a loaded machine. */
const MARGIN_MS = 30_000;

/**
 * How long an IN_PROGRESS task may wait for each step of its call before the stuck check counts it: the engine's
 * call-start timeout and its check interval; the longest simulated call (ring, the longest talk or ring-out at the
 * time scale, wrap-up aside) and the dialer's poll; the engine applying the end. Each plus {@link MARGIN_MS}.
 */
export function waitLimitsOf(config: PipelineConfig): Record<TaskWait, number> {
  const { dispatch } = config.campaignEngine;
  const t = config.simulators.telephony;
  const longestCallMs =
    t.ringMs +
    (Math.max(t.talkSeconds.max, t.unansweredSeconds) * 1000) / t.timeScale +
    config.dialer.pollIntervalMs;
  return {
    'call-start': dispatch.callStartTimeoutMs + dispatch.timeoutCheckIntervalMs + MARGIN_MS,
    'call-end': longestCallMs + MARGIN_MS,
    engine: MARGIN_MS,
  };
}
