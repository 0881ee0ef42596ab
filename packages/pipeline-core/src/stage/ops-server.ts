import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { Runnable } from './runnable.js';

export interface OpsServer {
  /** `http://host:port` the server listens on. */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Serves what operations need, with node:http: `GET /healthz` (200 while every stage is live, else 503),
 * `GET /readyz` (200 once every stage is consuming, else 503) — both with the stages' health as JSON — and
 * `GET /metrics` in the Prometheus text format.
 */
export async function serveOps(options: {
  stages: readonly Runnable[];
  registry: Registry;
  port?: number;
  host?: string;
}): Promise<OpsServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET') {
      res.writeHead(405).end();
      return;
    }
    if (path === '/healthz' || path === '/readyz') {
      const health = options.stages.map((s) => s.health());
      const ok = health.every((h) => (path === '/healthz' ? h.live : h.ready));
      res
        .writeHead(ok ? 200 : 503, { 'content-type': 'application/json' })
        .end(JSON.stringify({ ok, stages: health }));
      return;
    }
    if (path === '/metrics') {
      options.registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': options.registry.contentType }).end(text),
        (err: unknown) => res.writeHead(500).end(String(err)),
      );
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) =>
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve),
  );
  const { address, port } = server.address() as AddressInfo;
  return {
    url: `http://${address}:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
