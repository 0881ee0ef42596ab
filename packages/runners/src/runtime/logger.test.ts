import { Writable } from 'node:stream';
import { expect } from 'chai';
import { createLogger, PERSONAL_FIELDS } from './logger.js';

describe('createLogger', () => {
  const capture = () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    return { lines, log: createLogger('test', { level: 'info', destination: sink }) };
  };

  it('redacts every personal field at every depth up to four objects down, and keeps the rest', () => {
    const { lines, log } = capture();
    let nested: Record<string, unknown> = {};
    for (const field of PERSONAL_FIELDS) nested[field] = `secret-${field}`;
    nested.applicationNumber = '42';
    for (let depth = 0; depth <= 4; depth += 1) {
      log.info(nested, `depth ${depth}`);
      nested = { level: nested };
    }
    const text = lines.join('');
    expect(lines).to.have.length(5);
    expect(text.match(/"applicationNumber":"42"/g)).to.have.length(5);
    for (const field of PERSONAL_FIELDS) expect(text, field).not.to.contain(`secret-${field}`);
  });

  it('redacts a whole candidate as it would reach a log', () => {
    const { lines, log } = capture();
    log.info(
      {
        record: {
          value: { application: { phone: '79001234567', lastName: 'Иванов', passportNumber: 'AM1' } },
        },
      },
      'seen',
    );
    const text = lines.join('');
    for (const secret of ['79001234567', 'Иванов', 'AM1']) expect(text).not.to.contain(secret);
  });
});
