import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A Schema Registry test double, and the switches that simulate its outages. */
export interface SchemaRegistryDouble {
  /** `http://127.0.0.1:<port>`; the same across {@link stop} and {@link start}. */
  readonly url: string;
  /** `METHOD path` of every request answered so far. */
  readonly requests: string[];
  /**
   * From now on, answer every request with this HTTP status (e.g. 503), or not at all (`'hang'`: the connection
   * stays open with no answer, as a stuck registry's would); `undefined` answers normally again.
   */
  failWith(failure: number | 'hang' | undefined): void;
  /** Stops listening (connections are refused) and drops open connections; the schemas are kept. */
  stop(): Promise<void>;
  /** Listens again on the same port. */
  start(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A test double of a Confluent Schema Registry: an HTTP server implementing the two endpoints a serde uses —
 * `POST /subjects/{subject}/versions` (one id per distinct schema text, in every subject, as Confluent's registry
 * gives) and `GET /schemas/ids/{id}` (404 with error code 40403 for an unknown id) — with switches for outages.
 * It does not check compatibility. For a real registry in integration tests, see `provideSchemaRegistry` of
 * `@tm/infra` (Apicurio Registry, ADR 0124).
 */
export async function startSchemaRegistryDouble(): Promise<SchemaRegistryDouble> {
  const schemas: string[] = [];
  const subjects = new Map<string, number[]>();
  const requests: string[] = [];
  let failure: number | 'hang' | undefined;

  const send = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/vnd.schemaregistry.v1+json' });
    res.end(JSON.stringify(body));
  };
  const readBody = async (req: IncomingMessage): Promise<Record<string, unknown>> => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    return chunks.length
      ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>)
      : {};
  };

  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const [first, second, third] = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
      if (failure === 'hang') return;
      if (failure !== undefined)
        return send(res, failure, { error_code: failure, message: 'simulated failure' });
      requests.push(`${req.method} ${url.pathname}`);
      if (req.method === 'GET' && first === 'schemas' && second === 'ids' && third) {
        const schema = schemas[Number(third) - 1];
        return schema
          ? send(res, 200, { schema })
          : send(res, 404, { error_code: 40403, message: `Schema ${third} not found` });
      }
      if (req.method === 'POST' && first === 'subjects' && second && third === 'versions') {
        const schema = String((await readBody(req)).schema);
        let id = schemas.indexOf(schema) + 1;
        if (id === 0) id = schemas.push(schema);
        const ids = subjects.get(second) ?? [];
        if (!ids.includes(id)) subjects.set(second, [...ids, id]);
        return send(res, 200, { id });
      }
      send(res, 404, {
        error_code: 404,
        message: `not implemented by the double: ${req.method} ${url.pathname}`,
      });
    })().catch((err: unknown) => send(res, 500, { message: String(err) }));
  });
  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  const stop = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  await listen(0);
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    failWith: (f) => {
      failure = f;
    },
    stop,
    start: () => listen(port),
    close: async () => {
      if (server.listening) await stop();
    },
  };
}
