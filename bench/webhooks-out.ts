import { createServer, type Server as HttpServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import { Webhook } from 'standardwebhooks';
import { createApiKey, systemActor } from '../src/modules/identity/index.js';
import { withTransaction } from '../src/platform/db/transaction.js';
import { appendEvent } from '../src/platform/outbox/outbox.js';
import { seedGeneratedProducts } from '../src/seed.js';
import { type BenchContext, benchDb, freePort, startBackroom } from './support.js';

/**
 * `npm run bench -- --scenarios webhooks-out`: outbound webhooks under load. Events are written to the
 * outbox at ~1,000/s (in transactions of 10, exactly as commands write them with `appendEvent`, for
 * 200 real products so the catalogue renders real product documents) while three local receivers
 * listen: one healthy, one answering after 5 s, one refusing connections (a closed port). The server
 * runs in its own process with its workers (sequencer → fan-out → delivery). Reported per endpoint:
 * latency from the event's commit to its first receipt; then for the healthy endpoint, once it has
 * caught up: events never received (`lost`), extra deliveries of one `webhook-id` (`duplicates`),
 * and first receipts of a resource's event after a later one of the same resource (`outOfOrder`).
 */

export interface EndpointStats {
  p50Ms: number | null;
  p99Ms: number | null;
  received: number;
  /** Attempts the server recorded for this endpoint (the dead one is only ever attempted). */
  attempts?: number;
}

export interface WebhooksOutResult {
  eventsPerSec: number;
  produced: number;
  lost: number;
  duplicates: number;
  outOfOrder: number;
  /** Deliveries per second the healthy endpoint received, from the first commit to its last receipt. */
  deliveriesPerSec: number;
  badSignatures: number;
  endpoints: { healthy: EndpointStats; slow: EndpointStats; dead: EndpointStats };
  note?: string;
}

const RATE = Number(process.env.BENCH_WEBHOOK_EVENTS_PER_SEC ?? 1000);
const PER_TX = 10;
const PRODUCTS = 200;

interface Receipt {
  id: string;
  at: number;
  sequence: number;
}

/** A receiver that records every delivery; `delayMs` holds each answer (the slow endpoint). */
async function receiver(
  delayMs: number,
  onDelivery?: (body: string, headers: IncomingMessage['headers']) => void,
): Promise<{ server: HttpServer; url: string; receipts: Receipt[] }> {
  const receipts: Receipt[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const at = performance.timeOrigin + performance.now();
      const body = Buffer.concat(chunks).toString('utf8');
      const id = String(req.headers['webhook-id'] ?? '');
      let sequence = -1;
      try {
        sequence = Number((JSON.parse(body) as { sequence?: number }).sequence ?? -1);
      } catch {}
      receipts.push({ id, at, sequence });
      onDelivery?.(body, req.headers);
      const answer = () => {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('ok');
      };
      if (delayMs > 0) setTimeout(answer, delayMs).unref();
      else answer();
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, receipts };
}

function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0);
}

function latencies(receipts: Receipt[], committedAt: Map<string, number>): EndpointStats {
  const first = new Map<string, number>();
  for (const r of receipts) if (!first.has(r.id)) first.set(r.id, r.at);
  const ms = [...first].flatMap(([id, at]) => {
    const c = committedAt.get(id);
    return c === undefined ? [] : [at - c];
  });
  ms.sort((a, b) => a - b);
  return { p50Ms: percentile(ms, 50), p99Ms: percentile(ms, 99), received: first.size };
}

export async function webhooksOut(ctx: BenchContext): Promise<WebhooksOutResult> {
  if (!ctx.databaseUrl) throw new Error('webhooks-out needs PostgreSQL: drop --database embedded');
  const handle = await benchDb(ctx.databaseUrl);
  // The healthy receiver keeps one body per webhook-id, verified after the run (as a consumer would).
  const bodies = new Map<string, { body: string; headers: IncomingMessage['headers'] }>();
  const healthy = await receiver(0, (body, headers) => bodies.set(String(headers['webhook-id']), { body, headers }));
  const slow = await receiver(5000);
  const deadUrl = `http://127.0.0.1:${await freePort()}/hook`; // nothing listens: connection refused
  const server = await startBackroom(ctx, {
    WEBHOOKS_ALLOW_PRIVATE_URLS: 'true',
    ...(process.env.BENCH_WEBHOOK_ENV ? JSON.parse(process.env.BENCH_WEBHOOK_ENV) : {}),
  });
  try {
    const catalog = await seedGeneratedProducts(handle.db, PRODUCTS);
    const productIds = catalog.productIds;
    const { key } = await createApiKey(
      handle.db,
      { ctx: systemActor, createdBy: null },
      { kind: 'secret', name: 'bench webhooks', permissions: ['all'] },
    );
    const secrets: Record<string, string> = {};
    const endpointIds: Record<string, string> = {};
    for (const [name, url] of [
      ['healthy', healthy.url],
      ['slow', slow.url],
      ['dead', deadUrl],
    ] as const) {
      const res = await fetch(`${server.url}/v1/admin/webhook-endpoints`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ url, description: `bench ${name}`, eventTypes: ['product.updated'] }),
      });
      if (res.status !== 201) throw new Error(`creating the ${name} endpoint: ${res.status} ${await res.text()}`);
      const created = (await res.json()) as { id: string; secret: string };
      secrets[name] = created.secret;
      endpointIds[name] = created.id;
    }
    const verifier = new Webhook(secrets.healthy ?? '');

    // Produce: PER_TX events per transaction, paced to RATE events/s, commit time recorded per event.
    const committedAt = new Map<string, number>();
    const resourceOf = new Map<string, string>();
    const total = Math.max(PER_TX, Math.round(RATE * ctx.seconds));
    const t0 = performance.now();
    let produced = 0;
    let n = 0;
    while (produced < total) {
      const due = t0 + (produced / RATE) * 1000;
      const wait = due - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      const ids: Array<[string, string]> = [];
      await withTransaction(handle.db, async (tx) => {
        for (let i = 0; i < PER_TX; i++) {
          const productId = productIds[n++ % productIds.length] ?? '';
          const id = await appendEvent(tx, { type: 'product.updated', aggregateId: productId, payload: { productId } });
          ids.push([id, productId]);
        }
      });
      const at = performance.timeOrigin + performance.now();
      for (const [id, productId] of ids) {
        committedAt.set(id, at);
        resourceOf.set(id, productId);
      }
      produced += PER_TX;
    }
    const produceSeconds = (performance.now() - t0) / 1000;

    // Wait for the healthy endpoint to catch up (bounded), then judge.
    const deadline = Date.now() + 60_000;
    const healthyIds = () => new Set(healthy.receipts.map((r) => r.id));
    // One set per check (a set per event id made each check quadratic: the bench's own event loop, which also
    // runs the receivers, was saturated and delayed their answers).
    const missing = () => {
      const seen = healthyIds();
      return [...committedAt.keys()].some((id) => !seen.has(id));
    };
    while (Date.now() < deadline && missing()) {
      await new Promise((r) => setTimeout(r, 250));
    }
    const seen = healthyIds();
    const lost = [...committedAt.keys()].filter((id) => !seen.has(id)).length;
    const counts = new Map<string, number>();
    for (const r of healthy.receipts) counts.set(r.id, (counts.get(r.id) ?? 0) + 1);
    const duplicates = [...counts.values()].reduce((s, c) => s + (c - 1), 0);
    // Order per resource: first receipts of one product must come in sequence order.
    const lastSeq = new Map<string, number>();
    const firstSeen = new Set<string>();
    let outOfOrder = 0;
    for (const r of healthy.receipts) {
      if (firstSeen.has(r.id)) continue;
      firstSeen.add(r.id);
      const resource = resourceOf.get(r.id);
      if (!resource) continue;
      if (r.sequence < (lastSeq.get(resource) ?? -1)) outOfOrder++;
      else lastSeq.set(resource, r.sequence);
    }
    let badSignatures = 0;
    for (const { body, headers } of bodies.values()) {
      try {
        verifier.verify(body, headers as Record<string, string>);
      } catch {
        badSignatures++;
      }
    }
    const attempts = async (name: string) => {
      const row = await sql<{ n: number }>`
        select count(*)::int as n from webhook_attempt a join webhook_delivery d on d.id = a.delivery_id
         where d.endpoint_id = ${endpointIds[name] ?? ''}`.execute(handle.db);
      return row.rows[0]?.n ?? 0;
    };
    const lastReceipt = Math.max(...healthy.receipts.map((r) => r.at));
    const firstCommit = Math.min(...committedAt.values());
    return {
      eventsPerSec: Math.round(produced / produceSeconds),
      produced,
      lost,
      duplicates,
      outOfOrder,
      deliveriesPerSec: Math.round(seen.size / Math.max(0.001, (lastReceipt - firstCommit) / 1000)),
      badSignatures,
      endpoints: {
        healthy: { ...latencies(healthy.receipts, committedAt), attempts: await attempts('healthy') },
        slow: { ...latencies(slow.receipts, committedAt), attempts: await attempts('slow') },
        dead: { p50Ms: null, p99Ms: null, received: 0, attempts: await attempts('dead') },
      },
      note: `${PRODUCTS} products, ${PER_TX} events per transaction; slow answers after 5 s; dead refuses connections`,
    };
  } finally {
    await server.stop();
    await new Promise((r) => healthy.server.close(r));
    slow.server.closeAllConnections();
    await new Promise((r) => slow.server.close(r));
    await handle.close();
  }
}
