import { defineFilter, noSettings } from '../framework/filter.js';
import { pass, reject } from '../framework/verdict.js';

/**
 * PHONE_BLACK_LIST — thesis figure 25, §2.3.1: BlackList has no record for the application's phone nor for its
 * device id (one `$or` search, figure 15; batched with other applications' lookups by the client).
 */
export const PHONE_BLACK_LIST = defineFilter({
  name: 'PHONE_BLACK_LIST',
  summary: 'BlackList finds no record for the phone or the device id.',
  whenAbsent: 'No device id (3.3 is optional): searches by phone alone. The phone is always present.',
  settings: noSettings,
  services: ['blacklist'],
  async run(app, _settings, { lookups }) {
    const records = await lookups.blacklist();
    const first = records[0];
    if (first === undefined) return pass();
    const byPhone = records.some((r) => r.phone === app.phone);
    return reject(
      byPhone ? 'phone is blacklisted' : 'device is blacklisted',
      `BlackList record ${first.id}${first.reason ? `: ${first.reason}` : ''}`,
    );
  },
});
