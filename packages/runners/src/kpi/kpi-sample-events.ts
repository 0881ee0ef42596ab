/**
 * Sample records of every topic the KPI stage reads, made the way the other stages make them (same keys, same
 * serdes): for the KPI's tests, its benchmark and demonstrations. Until the dialer and the ARM land, call events,
 * results and operator sessions come from here.
 */
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
import type { OutboundRecord } from '@tm/pipeline-core';
import { contractSerdes } from '../runtime/serdes.js';

/** Typed events of the pipeline, each with its event time. */
export const kpiEvents = {
  application: (n: number, at: number, stream = 'MOBILE_LOANS'): Application => ({
    applicationNumber: String(n),
    createdAt: at - 3_600_000,
    changedAt: at - 60_000,
    applicationStatus: 'registered',
    loanChangedAt: null,
    loanStatus: null,
    scoringResult: null,
    clientType: n % 3 === 0 ? 'repeater' : 'pioneer',
    phone: phoneOf(n),
    faceId: null,
    citizenship: 'RUS',
    passportSeries: null,
    passportNumber: null,
    lastName: null,
    firstName: null,
    middleName: null,
    birthDate: null,
    gender: null,
    os: 'android',
    appVersion: '5.1',
    deviceId: `device-${n}`,
    requestedAmount: 30_000,
    approvedAmount: null,
    productType: 'express',
    term: 30,
    termUnit: 'day',
    grace: null,
    graceUnit: null,
    dataStream: stream,
    sourceFile: 'sample.csv',
    lineNumber: n,
    receivedAt: at,
  }),
  candidate: (n: number, at: number, campaignId = 1, stream = 'MOBILE_LOANS'): Candidate => ({
    candidateId: `${n}:${campaignId}`,
    campaignId,
    phone: phoneOf(n),
    application: kpiEvents.application(n, at, stream),
    casperProfile: null,
    products: [],
    filtersPassed: ['RESIDENCE', 'AGE'],
    decidedAt: at,
  }),
  rejection: (n: number, at: number, filter: string, campaignId = 1, stream = 'MOBILE_LOANS'): Rejection => ({
    applicationNumber: String(n),
    campaignId,
    maskedPhone: '+7 (***) ***-00-00',
    dataStream: stream,
    filter,
    reason: `${filter} failed`,
    decidedAt: at,
  }),
  dial: (
    n: number,
    taskId: number,
    at: number,
    options: { action?: 'ADD' | 'DELETE'; attempt?: number; campaignId?: number } = {},
  ): DialTask => ({
    dialTaskId: `${options.action ?? 'ADD'}:${taskId}:${options.attempt ?? 1}`,
    action: options.action ?? 'ADD',
    taskId,
    campaignId: options.campaignId ?? 1,
    phone: phoneOf(n),
    attempt: options.attempt ?? 1,
    clientTimeZone: 'Europe/Moscow',
    createdAt: at,
  }),
  callStarted: (n: number, taskId: number, operatorId: number, at: number, attempt = 1): CallEvent => ({
    eventId: `start:${taskId}:${attempt}`,
    type: 'CALL_STARTED',
    taskId,
    operatorId,
    callId: `call-${taskId}-${attempt}`,
    phone: phoneOf(n),
    durationSeconds: null,
    occurredAt: at,
    attempt,
    outcome: null,
  }),
  callEnded: (
    n: number,
    taskId: number,
    operatorId: number,
    at: number,
    options: { talkSeconds?: number; outcome?: CallEvent['outcome']; attempt?: number } = {},
  ): CallEvent => ({
    eventId: `end:${taskId}:${options.attempt ?? 1}`,
    type: 'CALL_ENDED',
    taskId,
    operatorId,
    callId: `call-${taskId}-${options.attempt ?? 1}`,
    phone: phoneOf(n),
    durationSeconds: options.talkSeconds ?? 0,
    occurredAt: at,
    attempt: options.attempt ?? 1,
    outcome: options.outcome === undefined ? 'ANSWERED' : options.outcome,
  }),
  result: (
    n: number,
    communicationId: number,
    taskId: number,
    operatorId: number,
    at: number,
    state: CommunicationResult['state'],
    result: string | null,
  ): CommunicationResult => ({
    eventId: `result:${communicationId}:${state}:${at}`,
    communicationId,
    taskId,
    operatorId,
    clientPhone: phoneOf(n),
    state,
    reason: null,
    result,
    comment: null,
    savedAt: at,
  }),
  session: (operatorId: number, action: OperatorSession['action'], at: number): OperatorSession => ({
    eventId: `session:${operatorId}:${action}:${at}`,
    operatorId,
    action,
    reason: null,
    occurredAt: at,
  }),
};

/** The client phone of application `n`. */
export function phoneOf(n: number): string {
  return `7900${String(n % 10_000_000).padStart(7, '0')}`;
}

/** The same events as records on the config's topics, keyed as their producers key them. */
export function kpiRecords(config: PipelineConfig) {
  const s = contractSerdes();
  const { topics } = config;
  const incoming = config.events.dataStreams[0]?.topic ?? topics.incomingEvents;
  return {
    application: (a: Application): OutboundRecord => ({
      topic: incoming,
      key: a.applicationNumber,
      value: s.application.encode(a),
    }),
    candidate: (c: Candidate): OutboundRecord => ({
      topic: topics.candidates,
      key: c.phone,
      value: s.candidate.encode(c),
    }),
    rejection: (r: Rejection, phone: string): OutboundRecord => ({
      topic: topics.rejections,
      key: phone,
      value: s.rejection.encode(r),
    }),
    dial: (d: DialTask): OutboundRecord => ({
      topic: topics.dialTasks,
      key: d.phone,
      value: s.dialTask.encode(d),
    }),
    call: (e: CallEvent): OutboundRecord => ({
      topic: topics.callEvents,
      key: String(e.operatorId),
      value: s.callEvent.encode(e),
    }),
    result: (r: CommunicationResult): OutboundRecord => ({
      topic: topics.communicationResults,
      key: String(r.operatorId),
      value: s.communicationResult.encode(r),
    }),
    session: (o: OperatorSession): OutboundRecord => ({
      topic: topics.operatorSessions,
      key: String(o.operatorId),
      value: s.operatorSession.encode(o),
    }),
  };
}

/**
 * A small, complete working day as records: `clients` applications, a candidate or a rejection for each, a dial
 * task per candidate, a call per task (every fourth unanswered), a result per answered call (every third as a
 * draft first), two operators logging in, one taking a break. `start` is the first event's time; events are
 * `stepMs` apart. Returns the records and what the KPIs must count.
 */
export function workingDay(config: PipelineConfig, start: number, clients = 40, stepMs = 1_000) {
  const r = kpiRecords(config);
  const records: OutboundRecord[] = [];
  let t = start;
  const next = () => (t += stepMs);
  records.push(
    r.session(kpiEvents.session(101, 'OPEN', next())),
    r.session(kpiEvents.session(102, 'OPEN', next())),
  );
  const expected = {
    applications: 0,
    candidates: 0,
    rejections: 0,
    calls: 0,
    answered: 0,
    fixed: 0,
    drafts: 0,
  };
  let communication = 5_000;
  for (let n = 1; n <= clients; n += 1) {
    records.push(r.application(kpiEvents.application(n, next())));
    expected.applications += 1;
    if (n % 5 === 0) {
      records.push(
        r.rejection(kpiEvents.rejection(n, next(), n % 10 === 0 ? 'AGE' : 'PHONE_BLACK_LIST'), phoneOf(n)),
      );
      expected.rejections += 1;
      continue;
    }
    records.push(r.candidate(kpiEvents.candidate(n, next())));
    expected.candidates += 1;
    const taskId = 1_000 + n;
    const operator = n % 2 === 0 ? 101 : 102;
    records.push(r.dial(kpiEvents.dial(n, taskId, next())));
    records.push(r.call(kpiEvents.callStarted(n, taskId, operator, next())));
    expected.calls += 1;
    const answered = n % 4 !== 0;
    records.push(
      r.call(
        kpiEvents.callEnded(
          n,
          taskId,
          operator,
          next(),
          answered ? { talkSeconds: 30 + n } : { outcome: 'NO_ANSWER' },
        ),
      ),
    );
    if (!answered) continue;
    expected.answered += 1;
    communication += 1;
    if (n % 3 === 0) {
      records.push(r.result(kpiEvents.result(n, communication, taskId, operator, next(), 'DRAFT', null)));
      expected.drafts += 1;
    } else {
      records.push(
        r.result(
          kpiEvents.result(
            n,
            communication,
            taskId,
            operator,
            next(),
            'FIXED',
            n % 2 ? 'AGREED' : 'NOT_INTERESTED',
          ),
        ),
      );
      expected.fixed += 1;
    }
  }
  records.push(r.session(kpiEvents.session(102, 'BREAK', next())));
  return { records, expected, end: t };
}
