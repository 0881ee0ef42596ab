import type {
  Application,
  CallEvent,
  Candidate,
  CommunicationResult,
  DialTask,
  OperatorSession,
  PipelineConfig,
  Rejection,
} from '@tm/contracts';
import { type Committable, DecodeError, type Serde } from '@tm/pipeline-core';
import { Observable, type OperatorFunction } from 'rxjs';
import { contractSerdes } from '../runtime/serdes.js';
import type { KpiFacts } from './kpi-facts.js';
import type { KpiFact } from './kpi-keys.js';

/** A record of one of the topics the KPIs read, decoded, with its event time. */
export type KpiInput =
  | { kind: 'application'; value: Application }
  | { kind: 'candidate'; value: Candidate }
  | { kind: 'rejection'; value: Rejection }
  | { kind: 'dialTask'; value: DialTask }
  | { kind: 'callEvent'; value: CallEvent }
  | { kind: 'result'; value: CommunicationResult }
  | { kind: 'session'; value: OperatorSession };

type Decoder = (bytes: Buffer) => KpiInput | Promise<KpiInput>;

/** The topics the KPI stage reads, each with how to decode its records. */
export function kpiDecoders(config: PipelineConfig): Map<string, Decoder> {
  const s = contractSerdes(config);
  const { topics } = config;
  const as =
    <K extends KpiInput['kind']>(kind: K, serde: Serde<Extract<KpiInput, { kind: K }>['value']>): Decoder =>
    (bytes) => {
      const value = serde.decode(bytes);
      return value instanceof Promise
        ? value.then((v) => ({ kind, value: v }) as KpiInput)
        : ({ kind, value } as KpiInput);
    };
  const decoders = new Map<string, Decoder>();
  for (const stream of config.events.dataStreams)
    decoders.set(stream.topic, as('application', s.application));
  decoders.set(topics.candidates, as('candidate', s.candidate));
  decoders.set(topics.rejections, as('rejection', s.rejection));
  decoders.set(topics.dialTasks, as('dialTask', s.dialTask));
  decoders.set(topics.callEvents, as('callEvent', s.callEvent));
  decoders.set(topics.communicationResults, as('result', s.communicationResult));
  decoders.set(topics.operatorSessions, as('session', s.operatorSession));
  return decoders;
}

/**
 * Decodes each record by its topic, in order (a decode that waits for the Schema Registry holds the records behind
 * it); a record that cannot be decoded goes to the dead-letter topic (as a stage's own decoding does) and no further.
 * A record decoded at once (the usual case: the schema is known) goes on at once, without an inner observable per
 * record as `concatMap` would make.
 */
export function decodeByTopic(
  decoders: ReadonlyMap<string, Decoder>,
): OperatorFunction<Committable<Buffer>, Committable<KpiInput>> {
  return (source) =>
    new Observable<Committable<KpiInput>>((subscriber) => {
      /** Records behind a decode that waits, in order. */
      const queue: Committable<Buffer>[] = [];
      let waiting = false;
      let sourceDone = false;
      const refuse = (record: Committable<Buffer>, err: unknown) => {
        const { topic, partition, offset } = record.origin;
        record.deadLetter(new DecodeError(topic, partition, offset, err), 1);
      };
      const decodeOne = (record: Committable<Buffer>) => {
        let input: KpiInput | Promise<KpiInput>;
        try {
          const decode = decoders.get(record.origin.topic);
          if (!decode) throw new Error(`no decoder for topic ${record.origin.topic}`);
          input = decode(record.value);
        } catch (err) {
          refuse(record, err);
          return;
        }
        if (!(input instanceof Promise)) {
          subscriber.next(record.withValue(input));
          return;
        }
        waiting = true;
        input.then(
          (value) => {
            waiting = false;
            if (subscriber.closed) return;
            subscriber.next(record.withValue(value));
            drain();
          },
          (err: unknown) => {
            waiting = false;
            if (subscriber.closed) return;
            refuse(record, err);
            drain();
          },
        );
      };
      const drain = () => {
        while (!waiting && queue.length > 0 && !subscriber.closed)
          decodeOne(queue.shift() as Committable<Buffer>);
        if (!waiting && queue.length === 0 && sourceDone) subscriber.complete();
      };
      const input = source.subscribe({
        next: (record) => {
          if (waiting || queue.length > 0) queue.push(record);
          else decodeOne(record);
        },
        error: (err: unknown) => subscriber.error(err),
        complete: () => {
          sourceDone = true;
          drain();
        },
      });
      return () => input.unsubscribe();
    });
}

/** The event time of a record: when the thing it reports happened. */
export function eventTimeOf(input: KpiInput): number {
  switch (input.kind) {
    case 'application':
      return input.value.receivedAt;
    case 'candidate':
    case 'rejection':
      return input.value.decidedAt;
    case 'dialTask':
      return input.value.createdAt;
    case 'callEvent':
    case 'session':
      return input.value.occurredAt;
    case 'result':
      return input.value.savedAt;
  }
}

/** What the record adds to the KPI windows (updating the join tables on the way). */
export function factsOf(facts: KpiFacts, input: KpiInput): KpiFact[] {
  switch (input.kind) {
    case 'application':
      return facts.application(input.value);
    case 'candidate':
      return facts.candidate(input.value);
    case 'rejection':
      return facts.rejection(input.value);
    case 'dialTask':
      return facts.dialTask(input.value);
    case 'callEvent':
      return facts.callEvent(input.value);
    case 'result':
      return facts.result(input.value);
    case 'session':
      return facts.session(input.value);
  }
}
