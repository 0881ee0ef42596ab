import type { PipelineProcessName } from '../e2e/pipeline-processes.js';
import { SeededRandom } from '../intake/generator/seeded-random.js';

/**
 * The runners the harness starts and SIGKILLs, in start order. A new runner (the dialer) joins the harness by being
 * listed here: it is then started, killed and restarted like the others, and its /readyz counts for recovery.
 */
export const CHAOS_RUNNERS = [
  'campaign',
  'analyser',
  'intake',
  'kpi',
  'security',
  'arm',
  'dialer',
] as const satisfies readonly PipelineProcessName[];
export type ChaosRunner = (typeof CHAOS_RUNNERS)[number];

/** Faults of the infrastructure and of the external services, one kind each. */
export const OUTAGE_KINDS = [
  'kafka-restart',
  'postgres-restart',
  'redis-restart',
  'simulators-down',
] as const;
export type OutageKind = (typeof OUTAGE_KINDS)[number];

/** One fault kind per runner (`kill-<runner>`: SIGKILL, then start again) and one per outage. */
export type FaultKind = `kill-${ChaosRunner}` | OutageKind;

export function allFaultKinds(runners: readonly ChaosRunner[] = CHAOS_RUNNERS): FaultKind[] {
  return [...runners.map((r) => `kill-${r}` as const), ...OUTAGE_KINDS];
}

/** One planned fault: its kind, when to inject it (ms after the load started) and, for outages, how long. */
export interface PlannedFault {
  readonly kind: FaultKind;
  readonly atMs: number;
  /** How long a service stays away (kafka, postgres, redis: a short crash; simulators: 30 s). */
  readonly downMs: number;
}

export interface FaultPlanOptions {
  readonly seed: number;
  /** Time over which the faults are spread. */
  readonly durationMs: number;
  readonly kinds: readonly FaultKind[];
  /** How often each kind is injected. */
  readonly perKind: number;
  /** How long the simulators stay away (default 30 s). */
  readonly simulatorsDownMs?: number;
}

/**
 * The faults of a run, the same for the same options: every kind `perKind` times in a seeded random order, one per
 * slot of `durationMs / count`, each at a seeded random moment in the first half of its slot. The harness injects
 * them one after another, so a fault that takes longer than its slot delays the next (the plan is the order).
 */
export function planFaults(options: FaultPlanOptions): PlannedFault[] {
  const random = new SeededRandom(options.seed);
  const kinds = options.kinds.flatMap((k) => Array.from({ length: options.perKind }, () => k));
  for (let i = kinds.length - 1; i > 0; i--) {
    const j = random.int(0, i);
    [kinds[i], kinds[j]] = [kinds[j] as FaultKind, kinds[i] as FaultKind];
  }
  const slot = kinds.length > 0 ? options.durationMs / kinds.length : 0;
  return kinds.map((kind, i) => ({
    kind,
    atMs: Math.round(i * slot + random.int(0, Math.max(0, Math.floor(slot / 2)))),
    downMs: downMsOf(kind, random, options.simulatorsDownMs ?? 30_000),
  }));
}

function downMsOf(kind: FaultKind, random: SeededRandom, simulatorsDownMs: number): number {
  switch (kind) {
    case 'simulators-down':
      return simulatorsDownMs;
    case 'kafka-restart':
    case 'postgres-restart':
    case 'redis-restart':
      return random.int(2_000, 8_000);
    default:
      return 0;
  }
}
