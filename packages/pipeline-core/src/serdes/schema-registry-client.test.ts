import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { SchemaRegistryError } from '../errors.js';
import { startSchemaRegistryDouble } from '../testing/schema-registry-double.js';
import { SchemaRegistryClient } from './schema-registry-client.js';

const failureOf = (promise: Promise<unknown>) =>
  promise.then(
    () => expect.fail('expected a failure'),
    (e: unknown) => e as SchemaRegistryError,
  );

describe('SchemaRegistryClient', () => {
  it('tells a registry that cannot answer (retriable) from one that answers no', async () => {
    const registry = await startSchemaRegistryDouble();
    const client = new SchemaRegistryClient({ url: registry.url, timeoutMs: 5_000 });
    try {
      const unknown = await failureOf(client.schemaById(7));
      expect(unknown).to.be.instanceOf(SchemaRegistryError);
      expect([unknown.status, unknown.errorCode, unknown.retriable, unknown.schemaNotFound]).to.deep.equal([
        404,
        40403,
        false,
        true,
      ]);
      for (const [failure, retriable] of [
        [503, true],
        [500, true],
        [429, true],
        [422, false],
        [401, false],
      ] as const) {
        registry.failWith(failure);
        const error = await failureOf(client.register('s-value', '"string"'));
        expect([error.status, error.retriable], `status ${failure}`).to.deep.equal([failure, retriable]);
      }
      registry.failWith('hang');
      const impatient = new SchemaRegistryClient({ url: registry.url, timeoutMs: 200 });
      const hung = await failureOf(impatient.schemaById(1));
      expect([hung.status, hung.retriable]).to.deep.equal([undefined, true]);
      expect(hung.message).to.match(/no answer from http:\/\/127\.0\.0\.1:\d+ within 200 ms/);
      await registry.stop();
      const refused = await failureOf(client.schemaById(1));
      expect([refused.status, refused.retriable]).to.deep.equal([undefined, true]);
      // A kept-alive connection the registry dropped fails first (UND_ERR_SOCKET); a new one is refused.
      expect(refused.message).to.match(/unreachable \((ECONNREFUSED|UND_ERR_SOCKET)\)/);
      const again = await failureOf(client.schemaById(1));
      expect([again.retriable, again.message.endsWith('unreachable (ECONNREFUSED)')]).to.deep.equal([
        true,
        true,
      ]);
    } finally {
      await registry.close();
    }
  });

  it('sends credentials given in the URL as basic auth, and keeps them out of messages', async () => {
    let seen: IncomingHttpHeaders = {};
    const server = createServer((req, res) => {
      seen = req.headers;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"id":5}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const client = new SchemaRegistryClient({
        url: `http://svc:s%40cret@127.0.0.1:${port}/apis/ccompat/v7/`,
      });
      expect(client.url).to.equal(`http://127.0.0.1:${port}/apis/ccompat/v7`);
      expect(await client.register('t-value', '"string"')).to.equal(5);
      expect(seen.authorization).to.equal(`Basic ${Buffer.from('svc:s@cret').toString('base64')}`);
      expect(seen['content-type']).to.equal('application/vnd.schemaregistry.v1+json');
    } finally {
      server.close();
    }
  });
});
