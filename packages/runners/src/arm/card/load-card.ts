import type { Knex } from 'knex';
import type { ClientCard } from '../schemas.js';
import {
  type CommunicationRow,
  clientApplications,
  clientHistory,
  ownCommunication,
} from './communication-rows.js';
import type { CardPresenter } from './present.js';

/** A card as the ARM keeps and serves it: the DTO and the end of its result window. */
export interface PreparedCard {
  communicationId: number;
  card: ClientCard;
  /** ISO time the 60-second window ends; null while the call goes on or once the window closed. */
  resultDueAt: string | null;
}

/** The card of a stored communication row: its history and the client's applications read from the database. */
export async function cardOfRow(
  db: Knex,
  presenter: CardPresenter,
  row: CommunicationRow,
  historyLimit: number,
): Promise<PreparedCard> {
  const [history, applications] = await Promise.all([
    clientHistory(db, row.phone, row.id, historyLimit),
    clientApplications(db, row.phone, historyLimit),
  ]);
  const open = row.resultDueAt !== null && row.resultWindowClosedAt === null;
  return {
    communicationId: row.id,
    card: presenter.card(row, history, applications),
    resultDueAt: open && row.resultDueAt ? row.resultDueAt.toISOString() : null,
  };
}

/**
 * The card of communication `id` if it is `operatorId`'s (thesis §2.6.5: past communications with the client
 * across campaigns, the client's applications and the offered products, personal data); undefined for another
 * operator's communication exactly as for a missing one.
 */
export async function loadCard(
  db: Knex,
  presenter: CardPresenter,
  id: number,
  operatorId: number,
  historyLimit: number,
): Promise<PreparedCard | undefined> {
  const row = await ownCommunication(db, id, operatorId);
  return row ? cardOfRow(db, presenter, row, historyLimit) : undefined;
}
