import { expect } from 'chai';
import { CampaignDbError, isRetriablePgError } from './errors.js';

describe('campaign database errors', () => {
  it('takes a lost connection as retriable, whatever pg or knex call it', () => {
    for (const message of [
      'Connection terminated unexpectedly',
      'Connection ended unexpectedly',
      'ROLLBACK - Client has encountered a connection error and is not queryable',
      'Client was closed and is not queryable',
      'Knex: Timeout acquiring a connection. The pool is probably full.',
    ])
      expect(isRetriablePgError(new Error(message)), message).to.equal(true);
  });

  it('takes SQLSTATEs of a lost connection, a shutdown or a deadlock as retriable, and a bad statement as not', () => {
    expect(isRetriablePgError(Object.assign(new Error('x'), { code: '57P01' }))).to.equal(true);
    expect(isRetriablePgError(Object.assign(new Error('x'), { code: '08006' }))).to.equal(true);
    expect(isRetriablePgError(Object.assign(new Error('x'), { code: '40P01' }))).to.equal(true);
    expect(isRetriablePgError(Object.assign(new Error('syntax'), { code: '42601' }))).to.equal(false);
    expect(isRetriablePgError(new Error('value too long for type character varying(20)'))).to.equal(false);
  });

  it('carries the operation, its context and the verdict', () => {
    const error = new CampaignDbError(
      'applyCallEvent',
      { taskId: 7 },
      new Error('Connection ended unexpectedly'),
    );
    expect(error.message).to.equal('applyCallEvent failed (taskId=7): Connection ended unexpectedly');
    expect(error.retriable).to.equal(true);
  });
});
