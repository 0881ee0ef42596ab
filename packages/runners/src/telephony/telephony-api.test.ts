import { expect } from 'chai';
import { TELEPHONY_API, telephonyPath } from './telephony-api.js';

describe('telephonyPath', () => {
  it('fills each :parameter of a route, URI-encoded', () => {
    expect(telephonyPath(TELEPHONY_API.events, { operatorId: 7 })).to.equal('/v1/operators/7/events');
    expect(telephonyPath(TELEPHONY_API.task, { externalId: 'a/b c' })).to.equal('/v1/tasks/a%2Fb%20c');
  });
});
