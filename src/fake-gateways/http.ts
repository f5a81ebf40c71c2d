import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * The small HTTP core the local Stripe and PayPal fakes share: a router, the idempotency store both gateways
 * document (same key + same body → the first response again; another body → an error), fault injection for the
 * timeout cases (the work is done, the answer comes late or not at all) and webhook delivery. Test and demo
 * use only: nothing here is reachable unless `BACKROOM_FAKE_GATEWAYS=1` or a test starts it.
 */

export interface FakeRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  rawBody: string;
}

export interface FakeResponse {
  status: number;
  body: unknown;
  headers?: Record<string, string> | undefined;
}

export type Handler = (req: FakeRequest, params: Record<string, string>) => FakeResponse | Promise<FakeResponse>;

export interface Router {
  on(method: string, pattern: string, handler: Handler): void;
  handle(req: FakeRequest): Promise<FakeResponse>;
}

/** Routes `/v1/payment_intents/:id/capture`-style patterns; unknown paths answer `notFound(req)`. */
export function createRouter(notFound: (req: FakeRequest) => FakeResponse): Router {
  const routes: { method: string; parts: string[]; handler: Handler }[] = [];
  return {
    on(method, pattern, handler) {
      routes.push({ method, parts: pattern.split('/'), handler });
    },
    async handle(req) {
      const given = req.path.split('/');
      for (const r of routes) {
        if (r.method !== req.method || r.parts.length !== given.length) continue;
        const params: Record<string, string> = {};
        const ok = r.parts.every((p, i) => {
          const g = given[i] ?? '';
          if (p.startsWith(':')) {
            params[p.slice(1)] = decodeURIComponent(g);
            return g.length > 0;
          }
          return p === g;
        });
        if (ok) return r.handler(req, params);
      }
      return notFound(req);
    },
  };
}

/** What a fault does to the next matching request. */
export interface Fault {
  /** Only requests whose `METHOD path` matches (default: any). */
  match?: RegExp | undefined;
  /**
   * `error`: answer `status` (default 500) without doing anything. `slow`: do the work, then answer after
   * `delayMs` (a client with a shorter deadline sees a timeout although the gateway acted — the lost-response case).
   */
  kind: 'error' | 'slow';
  status?: number | undefined;
  delayMs?: number | undefined;
}

export interface FakeServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/**
 * Starts an HTTP server on 127.0.0.1 (`port` 0: any free port) that hands every request to `handle`, applying
 * queued faults first. Responses are JSON.
 */
export async function startFakeServer(
  handle: (req: FakeRequest) => Promise<FakeResponse>,
  faults: Fault[],
  port = 0,
): Promise<FakeServer> {
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://fake');
      const fr: FakeRequest = {
        method: req.method ?? 'GET',
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        rawBody: Buffer.concat(chunks).toString('utf8'),
      };
      const i = faults.findIndex((f) => !f.match || f.match.test(`${fr.method} ${fr.path}`));
      const fault = i >= 0 ? faults.splice(i, 1)[0] : undefined;
      const reply = (r: FakeResponse) => {
        if (res.destroyed) return;
        // A string body with its own content-type goes out as is (the fake PayPal's approval page); no body at
        // all (a 204) writes nothing; everything else is JSON.
        const raw = typeof r.body === 'string' && r.headers?.['content-type'] !== undefined;
        res.writeHead(r.status, { 'content-type': 'application/json', ...(r.headers ?? {}) });
        res.end(raw ? r.body : r.body === undefined ? undefined : JSON.stringify(r.body));
      };
      void (async () => {
        if (fault?.kind === 'error') {
          return reply({
            status: fault.status ?? 500,
            body: { error: { type: 'api_error', message: 'fault injected' } },
          });
        }
        const r = await handle(fr).catch(
          (e: unknown): FakeResponse => ({ status: 500, body: { error: { type: 'api_error', message: String(e) } } }),
        );
        if (fault?.kind === 'slow') await sleep(fault.delayMs ?? 30_000, undefined, { ref: false });
        reply(r);
      })();
    });
  });
  // Keep-alive sockets would hold a closing server open; the fakes are short-lived.
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const address = server.address();
  const bound = typeof address === 'object' && address ? address.port : port;
  return {
    url: `http://127.0.0.1:${bound}`,
    port: bound,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Idempotent requests: the first response per key, replayed for the same body; `conflict` for another body. */
export class IdempotencyStore {
  private readonly seen = new Map<string, { fingerprint: string; response: FakeResponse }>();

  lookup(key: string, fingerprint: string): { replay: FakeResponse } | { conflict: true } | null {
    const hit = this.seen.get(key);
    if (!hit) return null;
    return hit.fingerprint === fingerprint ? { replay: hit.response } : { conflict: true };
  }

  remember(key: string, fingerprint: string, response: FakeResponse): void {
    // Gateways do not store answers to requests that failed validation or on their side (5xx).
    if (response.status >= 500) return;
    this.seen.set(key, { fingerprint, response });
  }
}

/** Posts one webhook; answers the receiver's status (0 when unreachable). Never throws. */
export async function postWebhook(url: string, body: string, headers: Record<string, string>): Promise<number> {
  try {
    const res = await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return 0;
  }
}
