// The controller's web page and its read-only JSON API (node:http; bound to 127.0.0.1 unless told otherwise).
//
// GET /                      the page (fleet/web/page.html): devices, their state, deployments in progress
// GET /api/devices           the registry
// GET /api/deployments       the newest deployments with every target's state
// GET /api/deployments/:id   one deployment
// GET /healthz               200 "ok"
// The API only reads; changes go through `hasn fleet …` (which signs them with the controller key).
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HasnError } from '../../core/errors.ts';
import type { FleetStore } from '../store/fleet-store.ts';

const PAGE = readFileSync(new URL('./page.html', import.meta.url));

export interface WebServer {
  readonly url: string;
  close(): Promise<void>;
}

/** What the page shows of a device (the birth is summarised). */
export function deviceView(store: FleetStore): unknown[] {
  return store.devices().map((d) => ({
    id: d.id,
    state: d.state,
    reason: d.reason,
    backend: d.backend,
    version: d.version,
    bootId: d.bootId,
    since: d.since,
    specHash: d.specHash,
    brain: d.brainName,
    deployId: d.deployId,
    configVersion: d.configVersion,
    groups: d.groups,
    lastSeen: d.lastSeen,
    lastTelemetryAt: d.lastTelemetryAt,
    metrics: d.lastMetrics,
  }));
}

export async function startWebServer(store: FleetStore, options: { host?: string; port?: number } = {}): Promise<WebServer> {
  const host = options.host ?? '127.0.0.1';
  const server = createServer((req, res) => {
    const send = (status: number, body: unknown, type = 'application/json'): void => {
      const bytes = typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
      res.end(bytes);
    };
    try {
      if (req.method !== 'GET') return send(405, { error: { code: 'E_METHOD', message: 'read-only API: GET only' } });
      const path = new URL(req.url ?? '/', 'http://localhost').pathname;
      if (path === '/' || path === '/index.html') return send(200, PAGE, 'text/html; charset=utf-8');
      if (path === '/healthz') return send(200, 'ok\n', 'text/plain');
      if (path === '/favicon.ico') return send(204, '', 'image/x-icon');
      if (path === '/api/devices') return send(200, { devices: deviceView(store), counters: store.counters() });
      if (path === '/api/deployments') return send(200, { deployments: store.deployments.listDeployments(10) });
      const one = /^\/api\/deployments\/([A-Za-z0-9_-]{1,64})$/.exec(path);
      if (one !== null) return send(200, store.deployments.deployment(one[1]));
      return send(404, { error: { code: 'E_NOT_FOUND', message: `no route ${path}` } });
    } catch (err) {
      if (err instanceof HasnError) return send(err.code.endsWith('NOT_FOUND') ? 404 : 400, { error: err.toJSON() });
      return send(500, { error: { code: 'E_INTERNAL', message: (err as Error).message } });
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => reject(new HasnError('E_HTTP_LISTEN', `the fleet web page cannot listen on ${host}:${options.port ?? 0}: ${err.message}`, { path: '--http-port', cause: err })));
    server.listen(options.port ?? 0, host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}`,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
