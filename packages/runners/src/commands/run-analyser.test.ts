import { hostname } from 'node:os';
import { expect } from 'chai';
import { defaultInstanceId } from './run-analyser.js';

describe('tm run analyser: replica id', () => {
  it('defaults to $TM_INSTANCE_ID, else the host name, so replicas in their own containers never share a transactional id', () => {
    expect(defaultInstanceId({ TM_INSTANCE_ID: 'analyser-2' }, 'host-a')).to.equal('analyser-2');
    expect(defaultInstanceId({}, 'host-a')).to.equal('host-a');
    expect(defaultInstanceId({ TM_INSTANCE_ID: ' ' }, 'host-b')).to.equal('host-b');
    expect(defaultInstanceId({}, 'host-a')).to.not.equal(defaultInstanceId({}, 'host-b'));
    expect(defaultInstanceId({})).to.equal(process.env.TM_INSTANCE_ID?.trim() || hostname());
  });
});
