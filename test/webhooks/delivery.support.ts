import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { loadConfig } from '../../src/config.js';
import type { UrlPolicy } from '../../src/modules/webhooks/url-safety.js';
import type { WebhookSettings, WebhooksDeps } from '../../src/modules/webhooks/webhooks.deps.js';
import { createSecretBox } from '../../src/platform/crypto/secret-box.js';
import { newId } from '../../src/platform/ids.js';
import { webhooksDeps } from '../../src/wiring.js';
import { LogCapture } from '../support/app.js';
import { createTestDb, type TestDb } from '../support/db.js';

/**
 * Shared parts of the delivery tests: a database with the webhooks deps, endpoints and events written
 * straight into the tables (the fan-out is another test's subject), and real HTTP receivers on 127.0.0.1
 * that verify every delivery with the `standardwebhooks` package, as a consumer would.
 */

export interface Harness {
  db: TestDb;
  deps: WebhooksDeps;
  logs: LogCapture;
  close(): Promise<void>;
}

export async function createHarness(
  opts: { settings?: Partial<WebhookSettings>; policy?: Partial<UrlPolicy>; db?: TestDb } = {},
): Promise<Harness> {
  const db = opts.db ?? (await createTestDb());
  const logs = new LogCapture();
  const base = webhooksDeps(loadConfig({ WEBHOOKS_ALLOW_PRIVATE_URLS: 'true', WEBHOOK_POLL_INTERVAL_MS: '20' }), {
    db: db.db,
    secretBox: createSecretBox(randomBytes(32)),
    logger: logs.logger('info'),
  });
  const deps: WebhooksDeps = {
    ...base,
    // The default 10 s deadline: PGlite runs on the test's own event loop, which a loaded machine can stall for seconds.
    settings: { ...base.settings, ...opts.settings },
    urlPolicy: { ...base.urlPolicy, ...opts.policy },
  };
  return { db, deps, logs, close: () => (opts.db ? Promise.resolve() : db.destroy()) };
}

export function newSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`;
}

export interface EndpointOptions {
  previousSecret?: string;
  previousSecretExpiresAt?: Date;
  failingSince?: Date;
}

/** An enabled endpoint with a fresh secret, written straight into the table. */
export async function addEndpoint(
  h: Harness,
  url: string,
  o: EndpointOptions = {},
): Promise<{ id: string; secret: string }> {
  const id = newId('webhookEndpoint');
  const secret = newSecret();
  const box = h.deps.secretBox;
  await h.db.db
    .insertInto('webhook_endpoint')
    .values({
      id,
      url,
      event_types: ['*'],
      disabled_reason: null,
      disabled_at: null,
      secret_sealed: box.seal(secret, id),
      previous_secret_sealed: o.previousSecret ? box.seal(o.previousSecret, id) : null,
      previous_secret_expires_at: o.previousSecret ? (o.previousSecretExpiresAt ?? null) : null,
      failing_since: o.failingSince ?? null,
      last_success_at: null,
      last_failure_at: null,
    })
    .execute();
  return { id, secret };
}

let sequence = 0;

/** One event (body `{type, timestamp, data}`) and a pending delivery of it to each endpoint, in commit order. */
export async function addEvent(
  h: Harness,
  endpointIds: readonly string[],
  e: { resourceId: string; type?: string; data?: Record<string, unknown> },
): Promise<{ eventId: string; sequence: number; body: string }> {
  const eventId = newId('event');
  const seq = ++sequence;
  const type = e.type ?? 'order.placed';
  const body = JSON.stringify({
    type,
    timestamp: new Date().toISOString(),
    data: { id: e.resourceId, sequence: seq, ...e.data },
  });
  await h.db.db
    .insertInto('webhook_event')
    .values({ id: eventId, type, resource_id: e.resourceId, sequence: seq, body, occurred_at: new Date() })
    .execute();
  if (endpointIds.length > 0) {
    await h.db.db
      .insertInto('webhook_delivery')
      .values(
        endpointIds.map((endpointId) => ({
          id: newId('webhookDelivery'),
          endpoint_id: endpointId,
          event_id: eventId,
          event_type: type,
          resource_id: e.resourceId,
          sequence: seq,
          leased_until: null,
          last_status_code: null,
          last_error: null,
          delivered_at: null,
        })),
      )
      .execute();
  }
  return { eventId, sequence: seq, body };
}

export interface Received {
  id: string;
  path: string;
  headers: Record<string, string>;
  body: string;
  /** `Webhook(secret).verify` passed with the receiver's secret(s) (each tried alone). */
  verifiedWith: string[];
  /** The parsed body's data. */
  data: { id: string; sequence: number };
}

export interface Answer {
  status: number;
  body?: string;
  headers?: Record<string, string>;
  /** Never answer (until the receiver is closed). */
  hang?: boolean;
  /** Answer after this promise settles. */
  after?: Promise<unknown>;
}

/** A webhook consumer on 127.0.0.1 that verifies and records every request, answering as `answer` says. */
export class Receiver {
  readonly received: Received[] = [];
  inFlight = 0;
  maxInFlight = 0;
  /** TCP connections accepted (an SSRF refusal must open none). */
  connections = 0;
  /** Set when two requests about the same resource (`data.id`) were in flight at once. */
  resourceOverlap = false;
  private readonly inFlightByResource = new Map<string, number>();
  secrets: string[] = [];
  answer: (r: Received, n: number) => Answer = () => ({ status: 204 });
  private readonly server: Server;
  private release: () => void = () => undefined;
  private readonly closing = new Promise<void>((resolve) => {
    this.release = resolve;
  });
  private readonly sockets = new Set<Socket>();

  private constructor() {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.on('connection', (s) => {
      this.connections++;
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
  }

  static async start(): Promise<Receiver> {
    const r = new Receiver();
    await new Promise<void>((resolve) => r.server.listen(0, '127.0.0.1', resolve));
    return r;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  url(path = '/hooks'): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  ids(): string[] {
    return this.received.map((r) => r.id);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    let resource: string | undefined;
    try {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const body = Buffer.concat(chunks).toString('utf8');
      const headers = Object.fromEntries(
        Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : (v ?? '')]),
      );
      const verifiedWith = this.secrets.filter((s) => {
        try {
          new Webhook(s).verify(body, headers);
          return true;
        } catch {
          return false;
        }
      });
      let data = { id: '', sequence: 0 };
      try {
        data = (JSON.parse(body) as { data: typeof data }).data;
      } catch {}
      resource = data.id;
      const same = this.inFlightByResource.get(resource) ?? 0;
      if (same > 0) this.resourceOverlap = true;
      this.inFlightByResource.set(resource, same + 1);
      const r: Received = { id: headers['webhook-id'] ?? '', path: req.url ?? '', headers, body, verifiedWith, data };
      this.received.push(r);
      const a = this.answer(r, this.received.length);
      if (a.hang) {
        await this.closing; // held (and counted in flight) until close() destroys the socket
        return;
      }
      if (a.after) await a.after.catch(() => undefined);
      res.writeHead(a.status, a.headers ?? {});
      res.end(a.body ?? '');
    } finally {
      this.inFlight--;
      if (resource !== undefined)
        this.inFlightByResource.set(resource, (this.inFlightByResource.get(resource) ?? 1) - 1);
    }
  }

  async close(): Promise<void> {
    this.release();
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** Polls `check` until it returns a truthy value (or throws after `timeoutMs`, naming `what`). */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T> | T,
  timeoutMs = 30_000,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export async function deliveryOf(h: Harness, endpointId: string, eventId: string) {
  return h.db.db
    .selectFrom('webhook_delivery')
    .selectAll()
    .where('endpoint_id', '=', endpointId)
    .where('event_id', '=', eventId)
    .executeTakeFirstOrThrow();
}

export async function attemptsOf(h: Harness, deliveryId: string) {
  return h.db.db
    .selectFrom('webhook_attempt')
    .selectAll()
    .where('delivery_id', '=', deliveryId)
    .orderBy('attempt')
    .execute();
}

export async function endpointRow(h: Harness, id: string) {
  return h.db.db.selectFrom('webhook_endpoint').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

/** The test worker: no fan-out (events are written directly), retries after `retryMs` unless told otherwise. */
export const noFeed = async () => false;

export type AddedEvent = Awaited<ReturnType<typeof addEvent>>;
