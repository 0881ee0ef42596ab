import { expect } from 'chai';
import { pino } from 'pino';
import { MemoryStore } from '../kv/memory-store.js';
import type { ArmPublisher, SessionAction } from './arm-publisher.js';
import { ArmState } from './arm-state.js';
import { SessionKeeper } from './sessions.js';

describe('SessionKeeper', () => {
  let now: number;
  let sent: [number, SessionAction, string | null][];
  let failNext: boolean;
  let keeper: SessionKeeper;
  let state: ArmState;

  beforeEach(() => {
    now = 1_000_000;
    sent = [];
    failNext = false;
    const publisher = {
      session: async (operatorId: number, action: SessionAction, reason: string | null = null) => {
        if (failNext) {
          failNext = false;
          throw new Error('broker down');
        }
        sent.push([operatorId, action, reason]);
      },
    } as unknown as ArmPublisher;
    state = new ArmState(new MemoryStore(() => now));
    keeper = new SessionKeeper(state, publisher, {
      idleCloseMs: 120_000,
      logger: pino({ level: 'silent' }),
      now: () => now,
    });
  });

  it('opens at login and closes at logout, forgetting the card and changes', async () => {
    await keeper.open(7);
    await state.addChange(7, 'CLIENT_CARD_READY');
    await keeper.logout(7);
    expect(sent).to.deep.equal([
      [7, 'OPEN', null],
      [7, 'CLOSE', null],
    ]);
    expect(await state.changes(7)).to.deep.equal([]);
    expect(await state.session(7)).to.equal(undefined);
  });

  it('closes only sessions silent for the idle time, once, and records requests at most every 5 s', async () => {
    await keeper.open(1);
    await keeper.open(2);
    now += 100_000;
    await keeper.touch(2); // recorded at +100 s
    now += 3000;
    await keeper.touch(2); // within 5 s of the last record: not written, still +100 s
    now += 18_000;
    expect(await keeper.reapIdle()).to.equal(1);
    expect(await keeper.reapIdle()).to.equal(0);
    expect(sent.slice(2)).to.deep.equal([[1, 'CLOSE', 'IDLE']]);
    now = 1_000_000 + 220_001; // 120 s after +100 s
    expect(await keeper.reapIdle()).to.equal(1);
    expect(sent.slice(3)).to.deep.equal([[2, 'CLOSE', 'IDLE']]);
  });

  it('opens the session again for a returning operator (RESUMED)', async () => {
    await keeper.open(1);
    now += 130_000;
    await keeper.reapIdle();
    await keeper.touch(1);
    expect(sent.map(([, a, r]) => `${a}:${r}`)).to.deep.equal(['OPEN:null', 'CLOSE:IDLE', 'OPEN:RESUMED']);
  });

  it('closes a refused operator’s session once, and keeps an idle one whose CLOSE failed for the next round', async () => {
    await keeper.open(1);
    await keeper.refused(1, 'TOKEN_EXPIRED');
    await keeper.refused(1, 'TOKEN_EXPIRED');
    expect(sent.map(([, a, r]) => `${a}:${r}`)).to.deep.equal(['OPEN:null', 'CLOSE:TOKEN_EXPIRED']);
    await keeper.open(2);
    now += 130_000;
    failNext = true;
    let failed = false;
    await keeper.reapIdle().catch(() => {
      failed = true;
    });
    expect(failed).to.equal(true);
    expect(await keeper.reapIdle()).to.equal(1);
  });

  it('sends READY and BREAK', async () => {
    await keeper.open(3);
    await keeper.setStatus(3, 'BREAK');
    expect((await state.session(3))?.status).to.equal('BREAK');
    await keeper.setStatus(3, 'READY');
    expect(sent.map(([, a]) => a)).to.deep.equal(['OPEN', 'BREAK', 'READY']);
  });
});
