/**
 * Helpers for the campaign-database integration tests (not exported from the package). Each test file gets its
 * own PostgreSQL schema in the run's database, migrated once; each test starts from empty tables and ends by
 * asserting the invariants.
 */
import { randomBytes } from 'node:crypto';
import type {
  Application,
  CallEvent,
  CampaignEngineRules,
  Candidate,
  CommunicationResult,
} from '@tm/contracts';
import { testServices } from '@tm/infra';
import { expect } from 'chai';
import type { Knex } from 'knex';
import { upsertCampaigns } from './campaigns.js';
import { connectCampaignDb } from './connect.js';
import { findInvariantViolations } from './invariants.js';
import { migrateToLatest } from './migrate.js';

const TABLES = [
  'TM$CONSUMED_EVENTS',
  'TM$DIAL_TASK_OUTBOX',
  'TM$MIGHTYCALL_TASKS',
  'TM$COMMUNICATIONS',
  'TM$CAMPAIGN_TASKS',
  'TM$CAMPAIGNS',
];

/** A fresh schema of its own, migrated; `db()` is valid between mocha's `before` and `after`. */
export function useCampaignDb(options: { poolMax?: number } = {}): { db: () => Knex; schema: string } {
  const schema = `cdb_${randomBytes(4).toString('hex')}`;
  let db: Knex | undefined;
  before(async function () {
    this.timeout(60_000);
    const { databaseUrl } = testServices();
    const admin = connectCampaignDb(databaseUrl, { poolMax: 1 });
    await admin.raw(`CREATE SCHEMA ${schema}`);
    await admin.destroy();
    db = connectCampaignDb(databaseUrl, { poolMax: options.poolMax ?? 4, searchPath: [schema] });
    await migrateToLatest(db);
  });
  beforeEach(async () => {
    await db!.raw(`TRUNCATE ${TABLES.join(', ')} RESTART IDENTITY CASCADE`);
    await upsertCampaigns(db!, [
      { id: 1, name: 'mobile loans', domain: 'LOANS', description: null },
      { id: 2, name: 'pos reject', domain: 'LOANS', description: 'second campaign' },
    ]);
  });
  afterEach(async () => {
    expect(await findInvariantViolations(db!), 'invariant violations after the test').to.deep.equal([]);
  });
  after(async () => {
    await db?.raw(`DROP SCHEMA ${schema} CASCADE`);
    await db?.destroy();
  });
  return { db: () => db!, schema };
}

/** Calling hours that contain every minute but the last of the day. */
export const ALL_DAY: CampaignEngineRules['callingHours'] = { from: '00:00', to: '24:00' };

/** Rules for campaigns 1 and 2 as tests use them; override per test. */
export function rules(overrides: Partial<CampaignEngineRules> = {}): CampaignEngineRules[] {
  return [1, 2].map((campaignId) => ({
    campaignId,
    domain: 'LOANS',
    callingHours: ALL_DAY,
    recallBlockMinutes: 60,
    attemptLimit: 3,
    callAgainResults: ['NO_ANSWER', 'CALL_BACK_LATER'],
    ...overrides,
  }));
}

const application = (applicationNumber: string, phone: string): Application => ({
  applicationNumber,
  createdAt: Date.UTC(2024, 0, 10, 7),
  changedAt: Date.UTC(2024, 0, 10, 8),
  applicationStatus: 'registered',
  loanChangedAt: null,
  loanStatus: null,
  scoringResult: null,
  clientType: 'pioneer',
  phone,
  faceId: null,
  citizenship: 'KGZ',
  passportSeries: '1234',
  passportNumber: '567890',
  lastName: 'БЕКИШОВ',
  firstName: 'АЗАМАТ',
  middleName: null,
  birthDate: 9000,
  gender: 'M',
  os: 'android',
  appVersion: '5.1',
  deviceId: 'dev-1',
  requestedAmount: 30000,
  approvedAmount: null,
  productType: 'express',
  term: 30,
  termUnit: 'day',
  grace: null,
  graceUnit: null,
  dataStream: 'MOBILE_LOANS',
  sourceFile: 'loans.csv',
  lineNumber: 1,
  receivedAt: Date.UTC(2024, 0, 10, 9),
});

/** A candidate of `campaignId` for `phone`, from application `applicationNumber`. */
export function candidate(
  applicationNumber: string,
  phone: string,
  options: { campaignId?: number; timeZone?: string | null } = {},
): Candidate {
  const campaignId = options.campaignId ?? 1;
  return {
    candidateId: `${applicationNumber}:${campaignId}`,
    campaignId,
    phone,
    application: application(applicationNumber, phone),
    casperProfile:
      options.timeZone === null
        ? null
        : {
            clientId: `c-${applicationNumber}`,
            timeZone: options.timeZone ?? 'Europe/Moscow',
            region: null,
            segment: null,
            activeLoans: 0,
            lastActivityAt: null,
            attributes: {},
          },
    products: [
      {
        productType: 'express',
        minAmount: 1000,
        maxAmount: 30000,
        interestRate: 80,
        term: 30,
        termUnit: 'day',
      },
    ],
    filtersPassed: ['RESIDENCE', 'AGE'],
    decidedAt: Date.UTC(2024, 0, 10, 9, 1),
  };
}

/** A call event for `taskId`; it names no attempt unless `overrides` does. */
export function callEvent(
  type: CallEvent['type'],
  taskId: number,
  callId: string,
  overrides: Partial<CallEvent> = {},
): CallEvent {
  return {
    eventId: `${type}:${callId}`,
    type,
    taskId,
    operatorId: 7,
    callId,
    phone: '79001234567',
    durationSeconds: type === 'CALL_ENDED' ? 95 : null,
    occurredAt: Date.UTC(2024, 0, 10, 10),
    attempt: null,
    outcome: null,
    ...overrides,
  };
}

/** A communication result event. */
export function resultEvent(
  communicationId: number,
  taskId: number,
  state: CommunicationResult['state'],
  result: string | null,
  eventId = `res-${randomBytes(4).toString('hex')}`,
): CommunicationResult {
  return {
    eventId,
    communicationId,
    taskId,
    operatorId: 7,
    clientPhone: '79001234567',
    state,
    reason: null,
    result,
    comment: 'comment',
    savedAt: Date.UTC(2024, 0, 10, 10, 5),
  };
}

/** A task row as tests read it. */
export interface TaskView {
  id: number;
  candidateId: string;
  state: string;
  attempt: number;
  taskTime: Date;
  timeZone: string;
}

/** Every task, by id. */
export async function tasks(db: Knex): Promise<TaskView[]> {
  const { rows } = await db.raw<{
    rows: {
      id: string;
      candidate_id: string;
      task_state: string;
      attempt: number;
      task_time: Date;
      client_time_zone: string;
    }[];
  }>(
    'SELECT ID, CANDIDATE_ID, TASK_STATE, ATTEMPT, TASK_TIME, CLIENT_TIME_ZONE FROM TM$CAMPAIGN_TASKS ORDER BY ID',
  );
  return rows.map((r) => ({
    id: Number(r.id),
    candidateId: r.candidate_id,
    state: r.task_state,
    attempt: r.attempt,
    taskTime: r.task_time,
    timeZone: r.client_time_zone,
  }));
}

/** Every outbox row, by id: `<DIAL_TASK_ID> published|pending`. */
export async function outbox(db: Knex): Promise<string[]> {
  const { rows } = await db.raw<{ rows: { dial_task_id: string; published_at: Date | null }[] }>(
    'SELECT DIAL_TASK_ID, PUBLISHED_AT FROM TM$DIAL_TASK_OUTBOX ORDER BY ID',
  );
  return rows.map((r) => `${r.dial_task_id} ${r.published_at ? 'published' : 'pending'}`);
}

/** 2024-01-10 at `hh:mm` UTC. */
export const at = (hh: number, mm = 0): Date => new Date(Date.UTC(2024, 0, 10, hh, mm));
