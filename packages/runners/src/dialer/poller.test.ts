import { expect } from 'chai';
import type { Knex } from 'knex';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import type { PolledEvents, Telephony } from '../telephony/telephony.js';
import type { CallEventPublisher } from './call-event-publisher.js';
import { DialerMetrics } from './dialer-metrics.js';
import type { ActiveOperator, OperatorSessions } from './operator-sessions.js';
import { Poller, readyFirst } from './poller.js';

const operator = (operatorId: number): ActiveOperator => ({
  operatorId,
  status: 'READY',
  cursor: null,
  session: { operatorId, token: 't', expiresAt: Number.MAX_SAFE_INTEGER },
  toldStatus: 'READY',
  loginError: null,
  nextLoginAt: 0,
});

describe('dialer poller', () => {
  it('polls READY operators first, each group in its order, so a READY operator keeps an early place in every round', () => {
    const onBreak = (id: number): ActiveOperator => ({ ...operator(id), status: 'BREAK' });
    const order = readyFirst([onBreak(1), operator(2), onBreak(3), operator(4)]).map((o) => o.operatorId);
    expect(order).to.deep.equal([2, 4, 1, 3]);
  });

  // Found by `pnpm chaos` (a PostgreSQL restart, 2026-12-03): one operator's page was published (and its database
  // lookup failed at once) while another operator's poll was still under way; the failed publish was only awaited
  // once every poll had come back, so Node saw an unhandled rejection first and `tm run dialer` exited.
  it('fails the round, and leaves no rejection unhandled, when a page fails while another operator is still polled', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const pages: Record<number, () => Promise<PolledEvents>> = {
        1: async () => ({
          events: [{ callId: 'c1', externalTaskId: 'x1', kind: 'STARTED', at: 0 }],
          cursor: 'a1',
        }),
        2: () => new Promise((r) => setTimeout(() => r({ events: [], cursor: 'b1' }), 100)),
      };
      const sessions = {
        active: () => [operator(1), operator(2)],
        ready: async (o: ActiveOperator) => o.session,
        invalidate: () => {},
        setCursor: () => {},
      } as unknown as OperatorSessions;
      const telephony = {
        pollEvents: (session: { operatorId: number }) => pages[session.operatorId]?.(),
      } as unknown as Telephony;
      const db = {
        raw: () => Promise.reject(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })),
      } as unknown as Knex;
      const poller = new Poller({
        db,
        telephony,
        sessions,
        publisher: { publish: async () => {} } as unknown as CallEventPublisher,
        metrics: new DialerMetrics(new Registry()),
        logger: pino({ level: 'silent' }),
        concurrency: 2,
      });
      const failure = await poller.round().then(
        () => undefined,
        (error: unknown) => error,
      );
      await new Promise((r) => setTimeout(r, 50)); // unhandled rejections are reported after the microtasks
      expect(String(failure)).to.match(/sentTasksOf failed/);
      expect(unhandled.map(String)).to.deep.equal([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
