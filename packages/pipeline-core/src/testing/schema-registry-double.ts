import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A test double of a Confluent Schema Registry: an HTTP server implementing exactly the endpoints
 * @kafkajs/confluent-schema-registry calls to register and fetch Avro schemas — `GET`/`PUT /config/{subject}`,
 * `POST /subjects/{subject}/versions`, `POST /subjects/{subject}`, `GET /subjects/{subject}/versions/latest` and
 * `GET /schemas/ids/{id}`. It does not check compatibility. No registry server can run on the project's machines;
 * docker-compose.yml runs a real one.
 */
export async function startSchemaRegistryDouble(): Promise<{
  url: string;
  requests: string[];
  close(): Promise<void>;
}> {
  const schemas: string[] = [];
  const subjects = new Map<string, number[]>();
  const config = new Map<string, string>();
  const requests: string[] = [];

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
  const versionOf = (subject: string, id: number) => (subjects.get(subject) ?? []).indexOf(id) + 1;

  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
      requests.push(`${req.method} ${url.pathname}`);
      const [first, second, third, fourth] = parts;
      if (first === 'config' && second) {
        if (req.method === 'GET') {
          const level = config.get(second);
          return level
            ? send(res, 200, { compatibilityLevel: level })
            : send(res, 404, { error_code: 40401, message: 'Subject not found' });
        }
        const body = await readBody(req);
        config.set(second, String(body.compatibility));
        return send(res, 200, { compatibility: body.compatibility });
      }
      if (first === 'schemas' && second === 'ids' && third) {
        const schema = schemas[Number(third) - 1];
        return schema
          ? send(res, 200, { schema })
          : send(res, 404, { error_code: 40403, message: 'Schema not found' });
      }
      if (first === 'subjects' && second) {
        const ids = subjects.get(second) ?? [];
        if (req.method === 'POST') {
          const schema = String((await readBody(req)).schema);
          let id = schemas.indexOf(schema) + 1;
          if (third === 'versions') {
            if (id === 0) id = schemas.push(schema);
            if (!ids.includes(id)) subjects.set(second, [...ids, id]);
            return send(res, 200, { id });
          }
          return id && ids.includes(id)
            ? send(res, 200, { subject: second, version: versionOf(second, id), id, schema })
            : send(res, 404, { error_code: 40403, message: 'Schema not found' });
        }
        if (third === 'versions' && fourth === 'latest') {
          const id = ids[ids.length - 1];
          return id
            ? send(res, 200, { subject: second, version: ids.length, id, schema: schemas[id - 1] })
            : send(res, 404, { error_code: 40401, message: 'Subject not found' });
        }
      }
      send(res, 404, {
        error_code: 404,
        message: `not implemented by the double: ${req.method} ${url.pathname}`,
      });
    })().catch((err: unknown) => send(res, 500, { message: String(err) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
