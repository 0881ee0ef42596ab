import type { Candidate } from '@tm/contracts';
import { expect } from 'chai';
import { clientTimeZoneOf } from './client-info.js';

const withZone = (timeZone: string | null) => ({ casperProfile: { timeZone } }) as unknown as Candidate;

describe('clientTimeZoneOf', () => {
  it('takes Casper’s zone when it is a real IANA zone', () => {
    expect(clientTimeZoneOf(withZone('Asia/Vladivostok'), 'Europe/Moscow')).to.equal('Asia/Vladivostok');
    expect(clientTimeZoneOf(withZone(' asia/novosibirsk '), 'Europe/Moscow')).to.equal('Asia/Novosibirsk');
  });

  it('falls back to the default for no profile, no zone, blanks and unknown names', () => {
    expect(clientTimeZoneOf({ casperProfile: null } as unknown as Candidate, 'Europe/Moscow')).to.equal(
      'Europe/Moscow',
    );
    for (const zone of [null, '', '  ', 'Mars/Olympus', '+03:00', "Europe/Moscow'; drop table x"]) {
      expect(clientTimeZoneOf(withZone(zone), 'Europe/Samara')).to.equal('Europe/Samara');
    }
  });
});
