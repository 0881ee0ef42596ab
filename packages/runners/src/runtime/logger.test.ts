import { Writable } from 'node:stream';
import { expect } from 'chai';
import { createLogger } from './logger.js';

describe('createLogger', () => {
  it('redacts personal data of whole applications that reach a log line', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const log = createLogger('test', { level: 'info', destination: sink });
    log.info(
      {
        application: {
          applicationNumber: '42',
          phone: '79001234567',
          lastName: 'Иванов',
          passportNumber: 'AM1',
        },
      },
      'seen',
    );
    log.info({ phone: '79001234567', candidate: { application: { firstName: 'Пётр' } } }, 'seen');
    const text = lines.join('');
    expect(text).to.contain('"applicationNumber":"42"');
    for (const secret of ['79001234567', 'Иванов', 'AM1', 'Пётр']) expect(text).not.to.contain(secret);
  });
});
