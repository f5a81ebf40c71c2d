import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApiKey, type Permission, systemActor } from '../../src/modules/identity/index.js';
import { seed } from '../../src/seed.js';
import { createTestApp, type TestApp, type TestAppOptions } from '../support/app.js';

/** The app listening on 127.0.0.1 (a real HTTP server, as the client meets it), with the demo shop seeded. */
export interface ListeningApp {
  t: TestApp;
  baseUrl: string;
  close(): Promise<void>;
}

export async function listenWithDemoShop(opts: TestAppOptions = {}): Promise<ListeningApp> {
  const t = await createTestApp(opts);
  await seed(t.db.db);
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = t.app.server.address() as AddressInfo;
  return { t, baseUrl: `http://127.0.0.1:${port}`, close: () => t.close() };
}

export async function secretKey(t: TestApp, permissions: Permission[]): Promise<string> {
  const { key } = await createApiKey(
    t.db.db,
    { ctx: systemActor, createdBy: null },
    { name: 'client test', kind: 'secret', permissions },
  );
  return key;
}

export async function publishableKey(t: TestApp): Promise<string> {
  const { key } = await createApiKey(
    t.db.db,
    { ctx: systemActor, createdBy: null },
    { name: 'storefront', kind: 'publishable' },
  );
  return key;
}

/**
 * What the proxy does with one request:
 * - `forward`: pass it on and return the answer;
 * - `refuse-503`: answer 503 without passing it on (a server that did not do the work);
 * - `lose-as-503`: pass it on (the work is done), then answer 503 instead of the server's answer;
 * - `lose-connection`: pass it on, then drop the connection without answering.
 */
export type ProxyAction = 'forward' | 'refuse-503' | 'lose-as-503' | 'lose-connection';

export interface SeenRequest {
  method: string;
  url: string;
  idempotencyKey: string | undefined;
  action: ProxyAction;
}

/** A local HTTP proxy in front of the app that can fail chosen requests, and records every request it got. */
export interface FaultyProxy {
  baseUrl: string;
  seen: SeenRequest[];
  /** The next `times` requests matching `method` and `url` (a prefix of the path) get `action`. */
  fail(method: string, url: string, action: ProxyAction, times?: number): void;
  close(): Promise<void>;
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length', 'host']);

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function startFaultyProxy(target: string): Promise<FaultyProxy> {
  const seen: SeenRequest[] = [];
  const rules: { method: string; url: string; action: ProxyAction; times: number }[] = [];
  const server: Server = createServer(async (req, res) => {
    const body = await readBody(req);
    const method = req.method ?? 'GET';
    const url = req.url ?? '/';
    const rule = rules.find((r) => r.times > 0 && r.method === method && url.startsWith(r.url));
    if (rule) rule.times--;
    const action = rule?.action ?? 'forward';
    const key = req.headers['idempotency-key'];
    seen.push({ method, url, idempotencyKey: typeof key === 'string' ? key : undefined, action });
    const unavailable = () => {
      res.writeHead(503, { 'content-type': 'application/problem+json', 'retry-after': '0' });
      res.end(JSON.stringify({ type: 'about:blank', title: 'Unavailable', status: 503, code: 'PROXY_UNAVAILABLE' }));
    };
    if (action === 'refuse-503') return unavailable();
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (!HOP_BY_HOP.has(name) && typeof value === 'string') headers[name] = value;
    }
    const upstream = await fetch(target + url, {
      method,
      headers,
      ...(body.length > 0 ? { body } : {}),
    });
    const answer = Buffer.from(await upstream.arrayBuffer());
    if (action === 'lose-as-503') return unavailable();
    if (action === 'lose-connection') return void req.socket.destroy();
    const out: Record<string, string> = {};
    upstream.headers.forEach((value, name) => {
      if (!HOP_BY_HOP.has(name) && name !== 'content-encoding') out[name] = value;
    });
    res.writeHead(upstream.status, out);
    res.end(answer);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    seen,
    fail(method, url, action, times = 1) {
      rules.push({ method, url, action, times });
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
