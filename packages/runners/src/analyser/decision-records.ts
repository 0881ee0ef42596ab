import type { Application, Candidate, Rejection } from '@tm/contracts';
import { type CampaignOutcome, candidateOf, rejectionOf } from '@tm/filters';
import type { OutboundRecord, Serde } from '@tm/pipeline-core';

/** Where the analyser publishes its decisions, and how their values are encoded. */
export interface DecisionSinks {
  readonly candidates: { readonly topic: string; readonly serde: Serde<Candidate> };
  readonly rejections: { readonly topic: string; readonly serde: Serde<Rejection> };
}

/**
 * The records one application's decisions lead to: for each campaign, in campaign order, a Candidate on the
 * candidates topic or a Rejection on the rejections topic, both keyed by the client's phone (per-client order
 * from the analyser on, DESIGN.md §4).
 */
export function decisionRecords(
  app: Application,
  outcomes: readonly CampaignOutcome[],
  decidedAt: number,
  sinks: DecisionSinks,
): OutboundRecord[] {
  return outcomes.map((outcome) =>
    outcome.kind === 'candidate'
      ? {
          topic: sinks.candidates.topic,
          key: app.phone,
          value: sinks.candidates.serde.encode(candidateOf(app, outcome, decidedAt)),
        }
      : {
          topic: sinks.rejections.topic,
          key: app.phone,
          value: sinks.rejections.serde.encode(rejectionOf(app, outcome, decidedAt)),
        },
  );
}
