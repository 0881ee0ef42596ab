/**
 * A record names a campaign, task or communication the database does not have, so the engine cannot apply it.
 * The record is dead-lettered with this error; the message carries ids only, never a phone or a name.
 */
export class UnknownReferenceError extends Error {
  constructor(
    /** What was missing. */
    readonly missing: 'campaign' | 'task' | 'communication',
    /** Its id as the record gave it. */
    readonly id: string | number,
    /** The record's own id (candidate id, event id). */
    readonly recordId: string,
  ) {
    super(`${recordId}: no ${missing} ${id} in the campaign database`);
    this.name = 'UnknownReferenceError';
  }
}
