import type { KeyValueStore } from '../kv/key-value-store.js';
import type { PreparedCard } from './card/load-card.js';
import type { ChangeType } from './schemas.js';

/** An operator's session as the ARM keeps it. */
export interface SessionRecord {
  status: 'READY' | 'BREAK';
  openedAt: number;
}

const CARD_TTL_MS = 12 * 3_600_000;
const SEEN = 'sessions:seen';

/**
 * The ARM's fast state in the key-value store (Redis, or memory when embedded) — what `hasChanges` and
 * `getClientCard` answer from without a database query (ADR 0092):
 *
 * - `changes:<operator>`: the set of pending change types; a change stays until the call that shows it acknowledges
 *   it (getClientCard for card changes, listCommunications for the list), so a lost poll answer loses nothing;
 * - `card:<operator>`: the current card, prepared when the call started (12 h TTL);
 * - `saves:<operator>`: saves published and not yet seen stored by the engine (`DRAFT:<id>`, `FIXED:<id>`), which
 *   the rework list takes into account until it sees them in the database;
 * - `session:<operator>` and the sorted set `sessions:seen` (operator → last request, ms): which sessions are open
 *   and since when each operator has been silent.
 */
export class ArmState {
  constructor(private readonly store: KeyValueStore) {}

  async addChange(operatorId: number, change: ChangeType): Promise<void> {
    await this.store.sadd(`changes:${operatorId}`, change);
    this.store.cached.forget(`changes:${operatorId}`);
  }

  /**
   * The pending changes, read on every poll: from this process's memory while Redis vouches for it (ADR 0167), so
   * a poll seldom waits for Redis. This process's own changes are seen at once; another's as soon as Redis's
   * invalidation arrives.
   */
  changes(operatorId: number): Promise<string[]> {
    return this.store.cached.smembers(`changes:${operatorId}`);
  }

  async acknowledge(operatorId: number, ...changes: ChangeType[]): Promise<void> {
    await this.store.srem(`changes:${operatorId}`, ...changes);
    this.store.cached.forget(`changes:${operatorId}`);
  }

  setCard(operatorId: number, card: PreparedCard): Promise<void> {
    return this.store.set(`card:${operatorId}`, JSON.stringify(card), CARD_TTL_MS);
  }

  async card(operatorId: number): Promise<PreparedCard | undefined> {
    const text = await this.store.get(`card:${operatorId}`);
    return text ? (JSON.parse(text) as PreparedCard) : undefined;
  }

  /** Drops the current card when it is communication `communicationId`'s (any card when undefined). */
  async dropCard(operatorId: number, communicationId?: number): Promise<void> {
    if (communicationId !== undefined && (await this.card(operatorId))?.communicationId !== communicationId)
      return;
    await this.store.del(`card:${operatorId}`);
  }

  /**
   * Records a save the ARM published that the engine may not have stored yet, so the rework list shows what the
   * operator just did (a DRAFT in, a FIXED out) before the database does (ADR 0116).
   */
  savePending(operatorId: number, communicationId: number, state: 'DRAFT' | 'FIXED'): Promise<void> {
    return this.store.sadd(`saves:${operatorId}`, `${state}:${communicationId}`);
  }

  /** The operator's saves not yet seen stored: communication ids saved as DRAFT and as FIXED. */
  async pendingSaves(operatorId: number): Promise<{ drafts: number[]; fixed: number[] }> {
    const drafts: number[] = [];
    const fixed: number[] = [];
    for (const member of await this.store.smembers(`saves:${operatorId}`)) {
      const [state, id] = member.split(':');
      (state === 'FIXED' ? fixed : drafts).push(Number(id));
    }
    return { drafts, fixed };
  }

  /** Forgets pending saves the database now shows. */
  async settleSaves(operatorId: number, saves: readonly { state: 'DRAFT' | 'FIXED'; id: number }[]) {
    if (saves.length > 0) {
      await this.store.srem(`saves:${operatorId}`, ...saves.map((s) => `${s.state}:${s.id}`));
    }
  }

  async session(operatorId: number): Promise<SessionRecord | undefined> {
    const text = await this.store.get(`session:${operatorId}`);
    return text ? (JSON.parse(text) as SessionRecord) : undefined;
  }

  setSession(operatorId: number, session: SessionRecord): Promise<void> {
    return this.store.set(`session:${operatorId}`, JSON.stringify(session));
  }

  /** Records a request of the operator at `atMs`; resolves true when the operator had no open session here. */
  seen(operatorId: number, atMs: number): Promise<boolean> {
    return this.store.zadd(SEEN, atMs, String(operatorId));
  }

  /** Operators silent since `beforeMs` or longer, at most `limit`. */
  async silentSince(beforeMs: number, limit: number): Promise<number[]> {
    return (await this.store.zrangeByScore(SEEN, beforeMs, limit)).map(Number);
  }

  /** Takes the operator out of the open sessions if still silent since `beforeMs`: true for the one caller that did. */
  claimSilent(operatorId: number, beforeMs: number): Promise<boolean> {
    return this.store.zremIfAtMost(SEEN, String(operatorId), beforeMs);
  }

  /** Takes the operator out of the open sessions whatever their last request: true when they were in. */
  claimAny(operatorId: number): Promise<boolean> {
    return this.store.zrem(SEEN, String(operatorId));
  }

  /** Forgets everything of a closed session: its record, card and pending changes. */
  async forget(operatorId: number): Promise<void> {
    await this.store.del(
      `session:${operatorId}`,
      `card:${operatorId}`,
      `changes:${operatorId}`,
      `saves:${operatorId}`,
    );
    this.store.cached.forget(`changes:${operatorId}`);
  }
}
