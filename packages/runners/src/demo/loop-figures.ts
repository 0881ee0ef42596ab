import type { CallEvent, CommunicationResult, DialTask } from '@tm/contracts';
import type { StageMetrics } from '@tm/pipeline-core';
import type { Knex } from 'knex';

/** The calls the telephony made, as the dialer reported them on tm-call-events. */
export interface DemoCalls {
  /** Calls started (one CALL_STARTED per call). */
  made: number;
  answered: number;
  noAnswer: number;
  busy: number;
  failed: number;
  /** Started and not ended when the demo stopped. */
  inProgress: number;
}

/** What became of the answered calls. */
export interface DemoResults {
  /** FIXED results saved through the ARM (the operators' saves, reworked drafts included). */
  saved: number;
  /** Saved results per result code; sums to {@link saved}. */
  byCode: Record<string, number>;
  /** DRAFTs the ARM saved for answered calls left unsaved past the result window (the 60-second rule). */
  serverDrafts: number;
  /** Drafts later saved as a result (from the rework list, or by an operator's save that came after the window). */
  reworked: number;
  /**
   * Server drafts published after the operator's result for the same call: the sweep and the save raced (the save is
   * published before its window is closed). The engine keeps the FIXED result; the late DRAFT changes nothing.
   */
  draftsAfterResult: number;
  /** Answered calls whose communication is still NEW (neither a result nor a draft): 0 once the loop settled. */
  answeredWithoutResult: number;
}

/** The engine's re-call decisions on the results (campaign-engine rules: call-again results, attempt limit). */
export interface DemoRecalls {
  /** Dial tasks sent for an attempt after the first. */
  dispatched: number;
  /** Results that put a task back to NEW for another attempt. */
  scheduled: number;
  /** Call-again results on a task's last attempt: the task stays DONE. */
  attemptLimitReached: number;
}

const count = <K extends string>(into: Record<K, number>, key: K) => {
  into[key] = (into[key] ?? 0) + 1;
};

/** Calls per outcome from the call events (a CALL_ENDED without outcome is an answered call, as the ARM reads it). */
export function callsOf(events: readonly CallEvent[]): DemoCalls {
  const started = new Set<string>();
  const ended = new Map<string, CallEvent['outcome']>();
  for (const e of events) {
    if (e.type === 'CALL_STARTED') started.add(e.callId);
    else if (!ended.has(e.callId)) ended.set(e.callId, e.outcome);
  }
  const outcomes = { ANSWERED: 0, NO_ANSWER: 0, BUSY: 0, FAILED: 0 };
  for (const outcome of ended.values()) outcomes[outcome ?? 'ANSWERED'] += 1;
  return {
    made: new Set([...started, ...ended.keys()]).size,
    answered: outcomes.ANSWERED,
    noAnswer: outcomes.NO_ANSWER,
    busy: outcomes.BUSY,
    failed: outcomes.FAILED,
    inProgress: [...started].filter((id) => !ended.has(id)).length,
  };
}

/** The answered calls' call ids. */
export function answeredCallIds(events: readonly CallEvent[]): string[] {
  return events
    .filter((e) => e.type === 'CALL_ENDED' && (e.outcome ?? 'ANSWERED') === 'ANSWERED')
    .map((e) => e.callId);
}

/**
 * What the ARM published on tm-communication-results and what the database says of the answered calls: results per
 * code, the server's drafts (result windows closed by the server), drafts reworked into results, and answered calls
 * left with neither.
 */
export async function resultsOf(
  db: Knex,
  saves: readonly CommunicationResult[],
  answered: readonly string[],
): Promise<DemoResults> {
  const byCode: Record<string, number> = {};
  const drafted = new Set<number>();
  const fixed = new Set<number>();
  let reworked = 0;
  let draftsAfterResult = 0;
  for (const s of saves) {
    if (s.state === 'DRAFT') {
      if (fixed.has(s.communicationId)) draftsAfterResult += 1;
      drafted.add(s.communicationId);
      continue;
    }
    if (fixed.has(s.communicationId)) continue; // FIXED is final: a second FIXED is refused by the engine
    fixed.add(s.communicationId);
    count(byCode, s.result ?? '(none)');
    if (drafted.has(s.communicationId)) reworked += 1;
  }
  const { rows: windows } = await db.raw<{ rows: { n: number }[] }>(
    `SELECT count(*)::int AS n FROM TM$RESULT_WINDOWS WHERE CLOSED_BY = 'SERVER'`,
  );
  const { rows: open } = await db.raw<{ rows: { n: number }[] }>(
    `SELECT count(*)::int AS n FROM TM$COMMUNICATIONS WHERE STATE = 'NEW' AND CALL_ID = ANY(?::text[])`,
    [[...answered]],
  );
  return {
    saved: fixed.size,
    byCode,
    serverDrafts: windows[0]?.n ?? 0,
    reworked,
    draftsAfterResult,
    answeredWithoutResult: open[0]?.n ?? 0,
  };
}

/** Re-calls: dial tasks of later attempts, and the engine's own count of its decisions (its metrics). */
export async function recallsOf(dialTasks: readonly DialTask[], metrics: StageMetrics): Promise<DemoRecalls> {
  const applied = metrics.registry.getSingleMetric('campaign_events_applied_total');
  const outcomes: Record<string, number> = {};
  for (const v of (await applied?.get())?.values ?? []) {
    const outcome = String(v.labels.outcome);
    outcomes[outcome] = (outcomes[outcome] ?? 0) + v.value;
  }
  return {
    dispatched: dialTasks.filter((d) => d.action === 'ADD' && d.attempt > 1).length,
    scheduled: outcomes['recall-scheduled'] ?? 0,
    attemptLimitReached: outcomes['attempt-limit-reached'] ?? 0,
  };
}
