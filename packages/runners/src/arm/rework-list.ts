import type { Knex } from 'knex';
import type { ArmState } from './arm-state.js';
import { type CommunicationRow, reworkList } from './card/communication-rows.js';

/**
 * The rework list as the operator last left it (Appendix Е, ADR 0116): the database's DRAFT communications, plus the
 * operator's DRAFTs published and not yet stored by the engine, less their FIXED results in the same state. The
 * pending saves the database now shows are forgotten. So the list the page reloads on COMMUNICATIONS_CHANGED, which
 * the ARM raises when it publishes a save, already holds that save whatever the engine's lag.
 */
export async function reworkListOf(
  db: Knex,
  state: ArmState,
  operatorId: number,
  limit: number,
): Promise<CommunicationRow[]> {
  const pending = await state.pendingSaves(operatorId);
  const rows = await reworkList(db, operatorId, limit, pending.drafts);
  const fixed = new Set(pending.fixed);
  await state.settleSaves(operatorId, [
    ...pending.drafts
      .filter((id) => !rows.some((r) => r.id === id && r.state === 'NEW'))
      .map((id) => ({ state: 'DRAFT' as const, id })),
    ...pending.fixed
      .filter((id) => !rows.some((r) => r.id === id))
      .map((id) => ({ state: 'FIXED' as const, id })),
  ]);
  return rows.filter((r) => !fixed.has(r.id));
}
