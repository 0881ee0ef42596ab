import { SimulatorsSchema } from '@tm/contracts';
import { expect } from 'chai';
import type { FastifyInstance } from 'fastify';
import { FaultControl } from '../simulators/faults.js';
import { createSimulatorServer } from '../simulators/simulator-server.js';
import { startSimulators } from '../simulators/start-simulators.js';
import { TelephonyModel } from '../simulators/telephony-model.js';
import { createTelephonySimulator, telephonyModelSettings } from '../simulators/telephony-simulator.js';
import { HttpTelephony, kindOf } from './http-telephony.js';
import { describeTelephonyContract, telephonyErrorOf } from './telephony-contract.test-support.js';

const secrets = { apiKey: 'http-test-key', operatorSecret: 'http-test-secret' };
const PHONE = '79130000042';

/** A telephony simulator on a free port over a model on `now`. */
async function simulator(now: () => number = Date.now, telephony: Record<string, unknown> = {}) {
  const config = SimulatorsSchema.parse({ seed: 'http-telephony', telephony: { port: 0, ...telephony } });
  const model = new TelephonyModel(telephonyModelSettings('http-telephony', config.telephony, secrets), now);
  const faults = new FaultControl('http-telephony', 'telephony', {
    latency: { fixedMs: 0, jitterMs: 0 },
    errorRate: 0,
  });
  const server = createTelephonySimulator(model, faults);
  await server.listen({ host: '127.0.0.1', port: 0 });
  return { model, faults, server, url: urlOf(server) };
}

function urlOf(server: FastifyInstance): string {
  const address = server.server.address();
  return `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
}

const credentials = { login: 'op1', secret: secrets.operatorSecret };

describeTelephonyContract('HttpTelephony against the telephony simulator', async () => {
  // Calls in tens of milliseconds: 1 simulated second is 1 real millisecond.
  const sim = await simulator(Date.now, { 'time-scale': 1000, 'ring-ms': 10, 'unanswered-seconds': 20 });
  const telephony = new HttpTelephony({ url: sim.url, apiKey: secrets.apiKey });
  return {
    telephony,
    operators: [
      { operatorId: 1, credentials },
      { operatorId: 2, credentials: { login: 'op2', secret: secrets.operatorSecret } },
    ],
    refusedCredentials: { login: 'op1', secret: 'wrong' },
    phone: PHONE,
    callWithinMs: 3000,
    close: async () => {
      await telephony.close();
      await sim.server.close();
    },
  };
});

describe('HttpTelephony', () => {
  const clock = { now: Date.now() };
  let sim: Awaited<ReturnType<typeof simulator>>;
  let telephony: HttpTelephony;
  const task = { reference: 'ADD:1:1', taskId: 1, attempt: 1, phone: PHONE };

  before(async () => {
    sim = await simulator(() => clock.now, { 'token-lifetime-ms': 60_000, 'session-idle-ms': 30_000 });
    telephony = new HttpTelephony({ url: sim.url, apiKey: secrets.apiKey, timeoutMs: 300 });
  });

  after(async () => {
    await telephony.close();
    await sim.server.close();
  });

  beforeEach(() => sim.faults.reset());

  it('maps an injected 500 and a 503 to UNAVAILABLE; the task the 500 refused was not received', async () => {
    const before = sim.model.stats().addTasks;
    sim.faults.failNext(1);
    const error = await telephonyErrorOf(telephony.addTask(task));
    expect([error.kind, error.status]).to.deep.equal(['UNAVAILABLE', 500]);
    expect(sim.model.stats().addTasks).to.equal(before);
    sim.faults.makeUnavailable(60_000);
    const unavailable = await telephonyErrorOf(telephony.deleteTask('t-1'));
    expect([unavailable.kind, unavailable.status]).to.deep.equal(['UNAVAILABLE', 503]);
  });

  it('maps a request that outlives the timeout to UNAVAILABLE', async () => {
    sim.faults.set({ latency: { fixedMs: 600, jitterMs: 0 } });
    const started = performance.now();
    const error = await telephonyErrorOf(telephony.addTask(task));
    expect(error.kind).to.equal('UNAVAILABLE');
    expect(error.message).to.equal('telephony addTask: no answer (TimeoutError)');
    expect(performance.now() - started).to.be.below(550);
  });

  it('maps a refused connection to UNAVAILABLE', async () => {
    const closed = await simulator();
    await closed.server.close();
    const nobody = new HttpTelephony({ url: closed.url, apiKey: secrets.apiKey });
    try {
      const error = await telephonyErrorOf(nobody.authenticate(1, credentials));
      expect(error.kind).to.equal('UNAVAILABLE');
    } finally {
      await nobody.close();
    }
  });

  it('maps a wrong API key and refused credentials to AUTH (401)', async () => {
    const wrongKey = new HttpTelephony({ url: sim.url, apiKey: 'wrong' });
    try {
      for (const call of [
        wrongKey.addTask(task),
        wrongKey.deleteTask('t-1'),
        wrongKey.authenticate(1, credentials),
      ]) {
        const error = await telephonyErrorOf(call);
        expect([error.kind, error.status]).to.deep.equal(['AUTH', 401]);
      }
    } finally {
      await wrongKey.close();
    }
    const refused = await telephonyErrorOf(telephony.authenticate(1, { login: 'op1', secret: 'nope' }));
    expect([refused.kind, refused.status]).to.deep.equal(['AUTH', 401]);
  });

  it('maps an expired token (401) and a closed session (401) to AUTH; a new token works', async () => {
    const session = await telephony.authenticate(3, credentials);
    expect(session.expiresAt).to.be.within(Date.now() + 59_000, Date.now() + 61_000);
    for (let i = 0; i < 3; i++) {
      clock.now += 25_000; // the session stays open, the token (60 s) expires
      if (i < 2) await telephony.pollEvents(session, null);
    }
    const expired = await telephonyErrorOf(telephony.pollEvents(session, null));
    expect([expired.kind, expired.status]).to.deep.equal(['AUTH', 401]);
    const fresh = await telephony.authenticate(3, credentials);
    await telephony.setStatus(fresh, 'READY');
    clock.now += 30_000;
    const closed = await telephonyErrorOf(telephony.setStatus(fresh, 'BREAK'));
    expect([closed.kind, closed.status]).to.deep.equal(['AUTH', 401]);
  });

  it("maps another operator's token (403) to AUTH", async () => {
    const session = await telephony.authenticate(4, credentials);
    const error = await telephonyErrorOf(telephony.pollEvents({ ...session, operatorId: 5 }, null));
    expect([error.kind, error.status]).to.deep.equal(['AUTH', 403]);
  });

  it('maps a malformed request (400) to REJECTED, without the phone or the token in the message', async () => {
    const bad = await telephonyErrorOf(telephony.addTask({ ...task, phone: '89130000042' }));
    expect([bad.kind, bad.status]).to.deep.equal(['REJECTED', 400]);
    expect(bad.message).not.to.contain('89130000042');
    const session = await telephony.authenticate(6, credentials);
    const cursor = await telephonyErrorOf(telephony.pollEvents(session, 'not a cursor'));
    expect([cursor.kind, cursor.status]).to.deep.equal(['REJECTED', 400]);
    expect(cursor.message).not.to.contain(session.token);
  });

  it('maps the statuses of refusals to kinds: 401/403 AUTH, 5xx/408/429 UNAVAILABLE, other 4xx REJECTED', () => {
    expect([401, 403].map(kindOf)).to.deep.equal(['AUTH', 'AUTH']);
    expect([500, 502, 503, 504, 408, 429].map(kindOf)).to.deep.equal(Array(6).fill('UNAVAILABLE'));
    expect([400, 404, 409, 413, 422].map(kindOf)).to.deep.equal(Array(5).fill('REJECTED'));
  });

  describe('against a server that does not speak the API', () => {
    let server: FastifyInstance;
    let odd: HttpTelephony;
    before(async () => {
      server = createSimulatorServer();
      server.post('/v1/tasks', async () => 'not json');
      server.get('/v1/operators/:id/events', async (_request, reply) =>
        reply.code(429).send({ error: 'SLOW_DOWN' }),
      );
      await server.listen({ host: '127.0.0.1', port: 0 });
      odd = new HttpTelephony({ url: urlOf(server), apiKey: secrets.apiKey });
    });
    after(async () => {
      await odd.close();
      await server.close();
    });

    it('takes a 404 without the API code as REJECTED, not as NOT_FOUND (nor as a task never added)', async () => {
      const error = await telephonyErrorOf(odd.deleteTask('t-1'));
      expect([error.kind, error.status]).to.deep.equal(['REJECTED', 404]);
      const lookup = await telephonyErrorOf(odd.findTask('ADD:1:1'));
      expect([lookup.kind, lookup.status]).to.deep.equal(['REJECTED', 404]);
    });

    it('takes a 2xx it cannot read as UNAVAILABLE, and 429 as UNAVAILABLE', async () => {
      expect((await telephonyErrorOf(odd.addTask(task))).kind).to.equal('UNAVAILABLE');
      const session = { operatorId: 1, token: 'x', expiresAt: Date.now() + 1000 };
      const limited = await telephonyErrorOf(odd.pollEvents(session, null));
      expect([limited.kind, limited.status]).to.deep.equal(['UNAVAILABLE', 429]);
    });
  });

  it('is started by startSimulators beside the others, reading its stats over HTTP too', async () => {
    const config = SimulatorsSchema.parse({
      blacklist: { port: 0 },
      casper: { port: 0 },
      abram: { port: 0 },
      telephony: { port: 0 },
    });
    const sims = await startSimulators(config, { telephonySecrets: secrets });
    const client = new HttpTelephony({ url: sims.urls.telephony, apiKey: secrets.apiKey });
    try {
      await client.addTask(task);
      await client.addTask(task);
      expect(sims.telephony.model.addTaskCount(task.reference)).to.equal(2);
      const stats = await (await fetch(`${sims.urls.telephony}/__sim/telephony/stats`)).json();
      expect(stats).to.deep.include({ addTasks: 2, duplicateReferences: [task.reference], queued: 2 });
      expect(sims.telephony.faults.stats().requests).to.equal(2);
      const lose = await fetch(`${sims.urls.telephony}/__sim/telephony/lose-next`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ count: 1 }),
      });
      expect(lose.status).to.equal(200);
      const { externalId } = await client.addTask({ ...task, reference: 'ADD:2:1' });
      expect(await client.deleteTask(externalId)).to.equal('NOT_FOUND');
      expect(sims.telephony.model.stats()).to.include({ addTasks: 3, lost: 1, queued: 2 });
    } finally {
      await client.close();
      await sims.close();
    }
  });
});
