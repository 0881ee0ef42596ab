import { expect } from 'chai';
import { errors } from 'undici';
import { HttpStatusError } from './errors.js';
import { isTransient } from './resilience.js';

describe('service errors', () => {
  it('never quote a phone or passport number a service echoed back', () => {
    const error = new HttpStatusError(400, '{"message":"phone 79131234567, passport 1234 AM123456 unknown"}');
    expect(error.message).to.equal('HTTP 400: {"message":"phone #, passport 1234 AM# unknown"}');
  });

  it('count 5xx, 408, 429, timeouts and network failures as transient, and nothing else', () => {
    expect([500, 502, 503, 408, 429].map((s) => isTransient(new HttpStatusError(s, '')))).to.deep.equal([
      true,
      true,
      true,
      true,
      true,
    ]);
    expect([400, 404, 422].map((s) => isTransient(new HttpStatusError(s, '')))).to.deep.equal([
      false,
      false,
      false,
    ]);
    expect(isTransient(new TypeError('fetch failed'))).to.equal(true);
    // undici's pool: network failures carry a code
    expect(isTransient(new errors.SocketError('other side closed'))).to.equal(true);
    expect(isTransient(new errors.HeadersTimeoutError())).to.equal(true);
    expect(
      isTransient(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:7103'), { code: 'ECONNREFUSED' })),
    ).to.equal(true);
    expect(isTransient(new errors.InvalidArgumentError('bad header'))).to.equal(false);
    expect(isTransient(new TypeError('x is not a function'))).to.equal(false);
    expect(isTransient(new SyntaxError('Unexpected token'))).to.equal(false);
  });
});
