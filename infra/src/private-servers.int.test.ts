import { expect } from 'chai';
import { Redis } from 'ioredis';
import pg from 'pg';
import { type RestartableServer, startPrivatePostgres, startPrivateRedis } from './private-servers.js';

describe('private servers for fault tests', () => {
  const servers: RestartableServer[] = [];
  after(async () => {
    await Promise.allSettled(servers.map((s) => s.stop()));
  });

  it('PostgreSQL: killed and resumed on the same port, committed rows survive', async function () {
    this.timeout(120_000);
    const server = await startPrivatePostgres();
    servers.push(server);
    const query = async (sql: string) => {
      const client = new pg.Client({ connectionString: server.url });
      await client.connect();
      try {
        return (await client.query(sql)).rows;
      } finally {
        await client.end();
      }
    };
    await query('CREATE TABLE kept (id int)');
    await query('INSERT INTO kept VALUES (1), (2)');
    await server.kill();
    const refused = await query('SELECT 1').then(
      () => false,
      () => true,
    );
    expect(refused, 'the server is down after kill').to.equal(true);
    await server.resume();
    expect(await query('SELECT count(*)::int AS n FROM kept')).to.deep.equal([{ n: 2 }]);
  });

  it('Redis: killed and resumed on the same port, empty again (no persistence)', async function () {
    this.timeout(60_000);
    const server = await startPrivateRedis();
    servers.push(server);
    const client = () => new Redis(server.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    const a = client();
    await a.connect();
    await a.set('k', 'v');
    a.disconnect();
    await server.kill();
    await server.resume();
    const b = client();
    await b.connect();
    expect(await b.get('k')).to.equal(null);
    b.disconnect();
  });
});
