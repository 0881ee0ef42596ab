import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { SimulatorsSchema } from '@tm/contracts';
import { expect } from 'chai';
import { BlacklistFileError, loadBlacklistFile, parseBlacklist } from './blacklist-file.js';
import { type RunningSimulators, startSimulators } from './start-simulators.js';

const repo = join(import.meta.dirname, '..', '..', '..', '..');

/** The documented derivation, computed here independently of the simulators' code. */
function unit(...parts: Array<string | number>): number {
  return createHash('sha256').update(parts.join(':')).digest().readUInt32BE(0) / 2 ** 32;
}

// biome-ignore lint/suspicious/noExplicitAny: tests read whatever JSON the simulator answered.
async function post(url: string, body: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

describe('simulators', () => {
  const seed = 'test-seed';
  let sims: RunningSimulators;

  before(async () => {
    const config = SimulatorsSchema.parse({
      seed,
      blacklist: { port: 0, file: join(repo, 'config', 'examples', 'blacklist.yaml') },
      casper: { port: 0, 'unknown-client-rate': 0.3 },
      abram: { port: 0, 'ml-fail-rate': 0.3, 'ml-error-rate': 0.1, 'no-products-rate': 0.2 },
      telephony: { port: 0 },
    });
    sims = await startSimulators(config);
  });

  after(async () => {
    await sims.close();
  });

  beforeEach(() => {
    for (const s of [sims.blacklist, sims.casper, sims.abram]) s.faults.reset();
  });

  describe('BlackList', () => {
    const search = `/api/v2/records/search`;

    it('answers the $or search of figure 15 with the matching records of the default file', async () => {
      const { status, body } = await post(`${sims.urls.blacklist}${search}`, {
        query: { $or: [{ phone: '79130000013' }, { device_id: '4fsa86198as461' }, { phone: '79000000000' }] },
      });
      expect(status).to.equal(200);
      expect(body.records.map((r: { id: string }) => r.id)).to.deep.equal(['bl-1', 'bl-5']);
      expect(body.records[0]).to.deep.equal({
        id: 'bl-1',
        phone: '79130000013',
        device_id: null,
        reason: 'fraud',
      });
    });

    it('finds a record by either of its keys, once', async () => {
      const { body } = await post(`${sims.urls.blacklist}${search}`, {
        query: { $or: [{ phone: '79055550007' }, { device_id: 'badc0ffee0000007' }] },
      });
      expect(body.records.map((r: { id: string }) => r.id)).to.deep.equal(['bl-court-7']);
    });

    it('refuses a malformed query with 400', async () => {
      const { status, body } = await post(`${sims.urls.blacklist}${search}`, {
        query: { $or: [{ email: 'x' }] },
      });
      expect(status).to.equal(400);
      expect(body.message).to.be.a('string');
    });
  });

  describe('Casper', () => {
    const path = '/api/casper/v1/clients/search';

    it('derives the profile from the phone: same phone, same answer; unknown phones answer null', async () => {
      const phones = Array.from({ length: 40 }, (_, i) => `7913${String(i).padStart(7, '0')}`);
      let unknown = 0;
      const zones = new Set<string>();
      for (const phone of phones) {
        const first = await post(`${sims.urls.casper}${path}`, { phone });
        const again = await post(`${sims.urls.casper}${path}`, { phone, device_id: null, passport: null });
        expect(first.status).to.equal(200);
        const expectUnknown = unit(seed, 'casper-unknown', phone) < 0.3;
        expect(first.body.client === null, phone).to.equal(expectUnknown);
        if (first.body.client === null) {
          unknown += 1;
          continue;
        }
        expect(again.body.client.client_id).to.equal(first.body.client.client_id);
        expect(first.body.client.time_zone).to.match(/^(Europe|Asia)\//);
        zones.add(first.body.client.time_zone);
      }
      expect(unknown).to.be.within(1, 39);
      expect(zones.has('Europe/Moscow')).to.equal(true);
    });
  });

  describe('Abram', () => {
    const path = '/api/abram/v1/assessments';
    const request = (i: number) => ({
      application_number: String(i),
      client_type: i % 2 ? 'repeater' : 'pioneer',
      phone: `7913${String(i).padStart(7, '0')}`,
      device_id: `device-${i}`,
      face_id: i % 5 === 0 ? null : `face-${i}`,
      passport: { series: '1234', number: `AM${i}` },
      requested_amount: 20_000,
    });

    it('answers each ML check as the documented hash rule says', async () => {
      const statuses = new Set<string>();
      for (let i = 0; i < 30; i++) {
        const body = request(i);
        const { status, body: answer } = await post(`${sims.urls.abram}${path}`, body);
        expect(status).to.equal(200);
        const subjects = {
          device: body.device_id,
          phone: body.phone,
          face: body.face_id,
          document: `${body.passport.series}${body.passport.number}`,
        };
        for (const [check, subject] of Object.entries(subjects)) {
          let expected = 'NOT_CHECKED';
          if (subject !== null) {
            const u = unit(seed, `ml-${check}`, subject);
            expected = u < 0.1 ? 'ERROR' : u < 0.4 ? 'FAILED' : 'PASSED';
          }
          expect(answer.checks[check].status, `${check} of ${i}`).to.equal(expected);
          statuses.add(expected);
        }
      }
      expect([...statuses].sort()).to.deep.equal(['ERROR', 'FAILED', 'NOT_CHECKED', 'PASSED']);
    });

    it('offers products from the client type and requested amount, none for some phones', async () => {
      for (let i = 0; i < 20; i++) {
        const body = request(i);
        const { body: answer } = await post(`${sims.urls.abram}${path}`, body);
        if (unit(seed, 'abram-products', body.phone) < 0.2) {
          expect(answer.products, String(i)).to.deep.equal([]);
          continue;
        }
        const types = answer.products.map((p: { product_type: string }) => p.product_type);
        expect(types).to.deep.equal(body.client_type === 'repeater' ? ['express', 'consumer'] : ['express']);
        expect(answer.products[0].max_amount).to.equal(body.client_type === 'repeater' ? 40_000 : 24_000);
      }
    });
  });

  describe('faults', () => {
    it('answers 500 for the share error-rate of requests, and for each forced failure', async () => {
      sims.casper.faults.set({ errorRate: 1 });
      expect(
        (await post(`${sims.urls.casper}/api/casper/v1/clients/search`, { phone: '79130000001' })).status,
      ).to.equal(500);
      sims.casper.faults.set({ errorRate: 0 });
      sims.casper.faults.failNext(1);
      const path = `${sims.urls.casper}/api/casper/v1/clients/search`;
      expect((await post(path, { phone: '79130000001' })).status).to.equal(500);
      expect((await post(path, { phone: '79130000001' })).status).to.equal(200);
      expect(sims.casper.faults.stats()).to.include({ requests: 3, errors: 2, answered: 1 });
    });

    it('is unavailable (503) for the period asked, also through the admin route', async () => {
      const path = `${sims.urls.abram}/api/abram/v1/assessments`;
      const body = { application_number: '1', client_type: 'pioneer', phone: '79130000001' };
      const admin = await post(`${sims.urls.abram}/__sim/unavailable`, { 'for-ms': 150 });
      expect(admin.status).to.equal(200);
      expect((await post(path, body)).status).to.equal(503);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect((await post(path, body)).status).to.equal(200);
    });

    it('adds the configured latency', async () => {
      sims.blacklist.faults.set({ latency: { fixedMs: 60, jitterMs: 20 } });
      const started = performance.now();
      await post(`${sims.urls.blacklist}/api/v2/records/search`, { query: { phone: '79130000001' } });
      expect(performance.now() - started).to.be.at.least(59);
    });
  });

  describe('blacklist file', () => {
    it('loads the default file', () => {
      const entries = loadBlacklistFile(join(repo, 'config', 'examples', 'blacklist.yaml'));
      expect(entries.length).to.be.at.least(5);
    });

    it('names every bad entry', () => {
      let caught: unknown;
      try {
        parseBlacklist('records:\n  - phone: "12345"\n  - reason: nothing to block\n');
      } catch (err) {
        caught = err;
      }
      expect(caught).to.be.instanceOf(BlacklistFileError);
      expect((caught as BlacklistFileError).problems).to.deep.equal([
        'records.0.phone: 11 digits starting with 7',
        'records.1: give a phone, a device_id or both',
      ]);
    });
  });
});
