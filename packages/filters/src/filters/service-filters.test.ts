import { expect } from 'chai';
import { applicationFixture } from '../testing/application-fixture.js';
import { abramAnswer, fakeServices } from '../testing/fake-services.js';
import { ML_DEVICE, ML_DOCUMENT, ML_ERROR, ML_FACE, ML_PHONE } from './ml-checks.js';
import { PHONE_BLACK_LIST } from './phone-black-list.js';
import { PRODUCTS_AVAILABLE } from './products-available.js';
import { runFilter } from './run-filter.test-support.js';

describe('filters that ask services', () => {
  describe('PHONE_BLACK_LIST', () => {
    it('passes when BlackList finds nothing', async () => {
      expect(await runFilter(PHONE_BLACK_LIST, {}, applicationFixture())).to.deep.equal({ pass: true });
    });

    it('rejects on a record for the phone or for the device, naming which', async () => {
      const app = applicationFixture();
      const byPhone = fakeServices({
        blacklist: () => [{ id: 'r1', phone: app.phone, deviceId: null, reason: 'fraud' }],
      });
      expect(await runFilter(PHONE_BLACK_LIST, {}, app, { services: byPhone })).to.deep.equal({
        pass: false,
        reason: 'phone is blacklisted',
        detail: 'BlackList record r1: fraud',
      });
      const byDevice = fakeServices({
        blacklist: () => [{ id: 'r2', phone: null, deviceId: app.deviceId, reason: null }],
      });
      expect(await runFilter(PHONE_BLACK_LIST, {}, app, { services: byDevice })).to.deep.equal({
        pass: false,
        reason: 'device is blacklisted',
        detail: 'BlackList record r2',
      });
    });

    it('lets a service failure through as an error, never a pass', async () => {
      const down = fakeServices({
        blacklist: () => {
          throw new Error('down');
        },
      });
      let caught: unknown;
      try {
        await runFilter(PHONE_BLACK_LIST, {}, applicationFixture(), { services: down });
      } catch (err) {
        caught = err;
      }
      expect((caught as Error).message).to.equal('down');
    });
  });

  describe('ML checks', () => {
    const filters = [
      [ML_DEVICE, 'device'],
      [ML_PHONE, 'phone'],
      [ML_FACE, 'face'],
      [ML_DOCUMENT, 'document'],
    ] as const;

    for (const [filter, check] of filters) {
      it(`${filter.name} passes on PASSED and rejects on FAILED with Abram's reason`, async () => {
        expect((await runFilter(filter, {}, applicationFixture())).pass).to.equal(true);
        const failed = fakeServices({
          abram: () => abramAnswer({ [check]: { status: 'FAILED', reason: 'looks synthetic' } }),
        });
        expect(await runFilter(filter, {}, applicationFixture(), { services: failed })).to.deep.equal({
          pass: false,
          reason: `${check} check failed`,
          detail: 'looks synthetic',
        });
      });

      it(`${filter.name} on an ML error: rejects ML_ERROR with ml-skip-error false, passes with a note when true`, async () => {
        const error = fakeServices({
          abram: () => abramAnswer({ [check]: { status: 'ERROR', reason: 'timeout' } }),
        });
        const app = applicationFixture();
        expect(await runFilter(filter, {}, app, { services: error, mlSkipError: false })).to.deep.equal({
          pass: false,
          reason: ML_ERROR,
          detail: `${check} check ended in ERROR (timeout)`,
        });
        expect(await runFilter(filter, {}, app, { services: error, mlSkipError: true })).to.deep.equal({
          pass: true,
          note: `${check} check ended in ERROR (timeout); passed by ml-skip-error`,
        });
      });
    }

    it('reject when their subject is absent, without asking Abram', async () => {
      const cases = [
        [ML_DEVICE, { deviceId: null }, 'device id absent'],
        [ML_FACE, { faceId: null }, 'face id absent'],
        [ML_FACE, { faceId: '  ' }, 'face id absent'],
        [ML_DOCUMENT, { passportNumber: null }, 'passport series or number absent'],
        [ML_DOCUMENT, { passportSeries: null }, 'passport series or number absent'],
      ] as const;
      for (const [filter, overrides, reason] of cases) {
        const services = fakeServices();
        const verdict = await runFilter(filter, {}, applicationFixture(overrides), {
          services,
          mlSkipError: true,
        });
        expect(verdict, filter.name).to.deep.equal({ pass: false, reason });
        expect(services.calls.abram).to.equal(0);
      }
    });

    it('treat NOT_CHECKED for a subject that was sent as an ML error', async () => {
      const services = fakeServices({
        abram: () => abramAnswer({ face: { status: 'NOT_CHECKED', reason: null } }),
      });
      expect(await runFilter(ML_FACE, {}, applicationFixture(), { services })).to.include({
        reason: ML_ERROR,
      });
    });
  });

  describe('PRODUCTS_AVAILABLE', () => {
    it('passes with at least one product and rejects with none', async () => {
      expect((await runFilter(PRODUCTS_AVAILABLE, {}, applicationFixture())).pass).to.equal(true);
      const none = fakeServices({ abram: () => abramAnswer({}, []) });
      expect(await runFilter(PRODUCTS_AVAILABLE, {}, applicationFixture(), { services: none })).to.deep.equal(
        {
          pass: false,
          reason: 'no products available',
        },
      );
    });
  });
});
