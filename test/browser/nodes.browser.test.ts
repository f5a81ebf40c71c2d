import { createServer, type Server } from 'node:http';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserTestsRequired } from './support/browser.js';
import { type Cluster, haproxyPath, missingHaproxyMessage, startCluster } from './support/cluster.js';
import { call, checkout, newBuyerIp, type Outcome, ok, retried, sleep } from './support/cluster-client.js';

/**
 * Several nodes, proven (issue 17 item 5): two `serve` nodes (BACKROOM_WORKERS=false) behind haproxy on
 * deploy/haproxy.cfg, one `backroom worker`, one PostgreSQL database and Redis — the topology of compose.yaml and
 * README "Deployment". Guest checkouts, flash-sale buyers and a price change run through the balancer while node 2 is
 * killed (SIGKILL) and started again. Then: every acknowledged order (a 2xx `complete`) is in the database, the flash
 * product is not oversold, both nodes serve the new price, a rate limit counts requests from both nodes, and the
 * webhook receiver got each event once.
 *
 * A client here behaves as a storefront should behind a balancer: every mutation carries an Idempotency-Key, and a
 * request that failed without an answer from Backroom (connection error, or the balancer's 502/503/504 for a node that
 * died) is sent again with the same key; a key still held by the dead node's request (409
 * IDEMPOTENCY_REQUEST_IN_PROGRESS) is retried until its lease ends. Each buyer has an address of its own
 * (X-Forwarded-For through the trusted balancer), as real shoppers do, so the rate limit is per buyer.
 *
 * No timing thresholds: every wait is for a state (ready, routed, delivered) with a generous deadline.
 */

const base = process.env.TEST_DATABASE_URL;
const haproxy = haproxyPath();
const required = browserTestsRequired;
const RATE_LIMIT_MAX = 200;
const FLASH_UNITS = 6;
const FLASH_BUYERS = 24;
const CHECKOUT_LOOPS = 3;

const describeNodes = describe.skipIf(!base || (!haproxy && !required));
if (!base) console.error('\nnodes test SKIPPED: set TEST_DATABASE_URL (and REDIS_URL) to run it\n');
else if (!haproxy && !required) console.error(`\nnodes test SKIPPED: ${missingHaproxyMessage}\n`);

describeNodes('several nodes behind a load balancer', () => {
  let cluster: Cluster;
  let pg: postgres.Sql;
  let receiver: Server;
  const received: { webhookId: string; type: string; dataId: string | undefined }[] = [];

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { type: string; data?: { id?: string } };
        received.push({ webhookId: String(req.headers['webhook-id']), type: body.type, dataId: body.data?.id });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    cluster = await startCluster({
      baseDatabaseUrl: base as string,
      serveNodes: 2,
      workers: 1,
      env: {
        RATE_LIMIT_MAX: String(RATE_LIMIT_MAX),
        // Long enough that the rate-limit check's requests all fall in one window, however slow the machine.
        RATE_LIMIT_WINDOW_S: '600',
        WEBHOOKS_ALLOW_PRIVATE_URLS: 'true',
        // A slow answer on a loaded machine is not a failed delivery (a retry would legitimately deliver twice).
        WEBHOOK_TIMEOUT_MS: '60000',
      },
    });
    pg = postgres(cluster.databaseUrl, { max: 2, onnotice: () => {} });
  }, 240_000);

  afterAll(async () => {
    await pg?.end();
    await cluster?.stop();
    await new Promise((r) => receiver?.close(r));
  }, 120_000);

  it('loses no acknowledged order, oversells nothing, serves the new price on every node, shares rate limits and delivers each event once while a node is killed', async () => {
    const url = cluster.url;
    const adminHeaders = { authorization: `Bearer ${cluster.adminKey}` };
    const admin = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
      call(url, method, path, { ...(body !== undefined ? { body } : {}), headers: { ...adminHeaders, ...headers } });
    const [node1, node2] = cluster.nodes as [Cluster['nodes'][number], Cluster['nodes'][number]];
    try {
      // Three products of the demo shop, each a variant with its stock at one location: one for the steady
      // checkouts (given plenty of stock), one for the flash sale (FLASH_UNITS left), one whose price changes.
      const picks = await pg<
        {
          product_id: string;
          handle: string;
          variant_id: string;
          item_id: string;
          location_id: string;
          on_hand: number;
        }[]
      >`
        select distinct on (p.id) p.id as product_id, p.handle, v.id as variant_id, i.id as item_id,
               l.location_id, l.on_hand
          from product p join variant v on v.product_id = p.id
          join inventory_item i on i.variant_id = v.id
          join inventory_level l on l.item_id = i.id
         where p.status = 'active' and l.on_hand >= 5
           and (select count(*) from inventory_level l2 where l2.item_id = i.id) = 1
         order by p.id, v.position`;
      const [steady, flash, priced] = picks;
      if (!steady || !flash || !priced) throw new Error(`the demo shop has ${picks.length} products to use, not 3`);
      ok(
        await admin('POST', `/v1/admin/inventory/items/${steady.item_id}/adjustments`, {
          locationId: steady.location_id,
          delta: 100_000,
          reason: 'received',
        }),
        'stock for the steady checkouts',
      );
      ok(
        await admin('POST', `/v1/admin/inventory/items/${flash.item_id}/adjustments`, {
          locationId: flash.location_id,
          set: FLASH_UNITS,
          expectedOnHand: flash.on_hand,
          reason: 'correction',
        }),
        'flash-sale stock',
      );
      const endpoint = ok(
        await admin('POST', '/v1/admin/webhook-endpoints', {
          url: `http://127.0.0.1:${(receiver.address() as { port: number }).port}/hooks`,
          eventTypes: ['*'],
        }),
        'webhook endpoint',
      );

      // Both nodes cache the priced product before anything changes (each node's own storefront cache).
      const priceOn = async (nodeUrl: string) => {
        const detail = ok(
          await call(nodeUrl, 'GET', `/v1/store/products/${priced.handle}?currency=EUR`, { ip: newBuyerIp() }),
          'product detail',
        );
        const variant = (detail.variants as { id: string; price: { amount: number } | null }[]).find(
          (v) => v.id === priced.variant_id,
        );
        return variant?.price?.amount;
      };
      const oldPrice = await priceOn(node1.url);
      expect(oldPrice).toBeTypeOf('number');
      expect(await priceOn(node2.url)).toBe(oldPrice);

      // The run: steady checkout loops and the flash sale through the balancer, node 2 killed and restarted meanwhile.
      const t0 = Date.now();
      const timeline: string[] = [];
      const mark = (what: string) => timeline.push(`${((Date.now() - t0) / 1000).toFixed(1)} s ${what}`);
      const acknowledged: string[] = [];
      const refused: Outcome[] = [];
      let done = 0;
      let stop = false;
      const waitFor = async (what: string, cond: () => boolean) => {
        const deadline = Date.now() + 120_000;
        while (!cond()) {
          if (Date.now() > deadline) throw new Error(`waited 120 s for ${what}`);
          await sleep(100);
        }
      };
      const record = (o: Outcome) => {
        if (o.kind === 'order') acknowledged.push(o.orderId);
        else refused.push(o);
      };
      const loops = Array.from({ length: CHECKOUT_LOOPS }, async () => {
        while (!stop) {
          record(await checkout(url, steady.variant_id));
          done++;
        }
      });
      const flashOutcomes: Outcome[] = [];
      const flashSale = (async () => {
        await waitFor('the first steady checkouts', () => done >= 2);
        const outcomes = await Promise.all(Array.from({ length: FLASH_BUYERS }, () => checkout(url, flash.variant_id)));
        flashOutcomes.push(...outcomes);
        mark('flash sale over');
        for (const o of outcomes) record(o);
      })();
      // Awaited below; marked handled now so a failure while another part still runs is not an unhandled rejection.
      for (const p of [...loops, flashSale]) p.catch(() => {});
      const chaos = (async () => {
        await waitFor('checkouts before the kill', () => done >= 4);
        await node2.kill();
        mark(`node 2 killed after ${done} checkouts`);
        const killedAt = done;
        await waitFor('checkouts while node 2 is down', () => done >= killedAt + 4);
        await node2.start();
        mark(`node 2 ready again after ${done} checkouts`);
        // Node 2 is ready again (its /health/ready answered); the balancer's checks put it back in rotation.

        // The price change, through the balancer, after both nodes (the restarted one included) cached the product.
        expect(await priceOn(node1.url)).toBe(oldPrice);
        expect(await priceOn(node2.url)).toBe(oldPrice);
        const product = ok(await admin('GET', `/v1/admin/products/${priced.product_id}`), 'admin product');
        const variant = (
          product.variants as { id: string; prices: { price: { amount: number; currency: string } }[] }[]
        ).find((v) => v.id === priced.variant_id);
        const newPrice = (oldPrice as number) + 1234;
        const prices = (variant?.prices ?? []).map((p) => ({
          currency: p.price.currency,
          amount: p.price.currency === 'EUR' ? newPrice : p.price.amount,
        }));
        ok(
          await admin(
            'PATCH',
            `/v1/admin/products/${priced.product_id}/variants/${priced.variant_id}`,
            { prices },
            {
              'if-match': `"${product.version}"`,
            },
          ),
          'price change',
        );
        for (const node of [node1, node2]) {
          const deadline = Date.now() + 60_000;
          let seen = await priceOn(node.url);
          while (seen !== newPrice && Date.now() < deadline) {
            await sleep(250);
            seen = await priceOn(node.url);
          }
          expect(seen, `${node.name} serves the new price`).toBe(newPrice);
        }
        mark('both nodes serve the new price');
        const afterChange = done;
        await waitFor('checkouts after the restart', () => done >= afterChange + 3);
      })();
      try {
        await chaos;
      } finally {
        stop = true;
        await Promise.all([...loops, flashSale]);
        mark('checkouts over');
      }

      // A refusal is a business answer (409: sold out, or that cart's checkout still running), never a server error.
      const refusals = refused.map((o) => (o.kind === 'refused' ? `${o.status} ${o.code}` : ''));
      expect(refusals.filter((r) => !r.startsWith('409 '))).toEqual([]);

      // 0 acknowledged orders lost: every 2xx `complete` is an order in the database.
      expect(acknowledged.length).toBeGreaterThan(0);
      const stored = await pg<{ id: string }[]>`select id from "order" where id = any(${acknowledged})`;
      expect(new Set(stored.map((r) => r.id))).toEqual(new Set(acknowledged));

      // 0 oversold: the flash product's orders hold no more units than it had, and its level never went below 0.
      const [sold] = await pg<{ units: number }[]>`
        select coalesce(sum(ol.quantity), 0)::int as units
          from "order" o join order_line ol on ol.order_id = o.id
         where ol.variant_id = ${flash.variant_id} and o.status <> 'cancelled'`;
      expect(sold?.units).toBeLessThanOrEqual(FLASH_UNITS);
      const [level] = await pg<{ on_hand: number; reserved: number; held: number }[]>`
        select on_hand, reserved, held from inventory_level where item_id = ${flash.item_id}`;
      expect(level && level.on_hand - level.reserved - level.held).toBeGreaterThanOrEqual(0);
      const flashOrders = flashOutcomes.filter((o) => o.kind === 'order').length;
      expect(flashOrders).toBeLessThanOrEqual(FLASH_UNITS);
      // The sale sold out: the buyers who got nothing were told so (409 out of stock), not left hanging.
      for (const o of flashOutcomes) if (o.kind === 'refused') expect(o.status).toBe(409);

      // Rate limits are shared: a buyer's requests count on both nodes (through Redis), so the limit is reached
      // having sent each node only half of it.
      if (process.env.REDIS_URL) {
        const ip = newBuyerIp();
        const hit = (nodeUrl: string) =>
          fetch(`${nodeUrl}/v1/store/products/${priced.handle}`, { headers: { 'x-forwarded-for': ip } });
        for (let i = 0; i < RATE_LIMIT_MAX / 2; i++) {
          expect((await hit(node1.url)).status).toBe(200);
          expect((await hit(node2.url)).status).toBe(200);
        }
        const over1 = await hit(node1.url);
        const over2 = await hit(node2.url);
        expect(over1.status).toBe(429);
        expect(over2.status).toBe(429);
        // Another buyer is not limited.
        expect((await call(node1.url, 'GET', `/v1/store/products/${priced.handle}`, { ip: newBuyerIp() })).status).toBe(
          200,
        );
      }

      // Each event once: wait until every acknowledged order's `order.placed` reached the receiver and nothing is
      // pending, then no webhook-id was received twice, and the receiver got exactly the deliveries the database
      // marks delivered.
      const placedIds = () => new Set(received.filter((r) => r.type === 'order.placed').map((r) => r.dataId));
      const deadline = Date.now() + 120_000;
      for (;;) {
        const [pending] = await pg<{ outbox: number; deliveries: number }[]>`
          select (select count(*) from outbox_event where status = 'pending')::int as outbox,
                 (select count(*) from webhook_delivery where endpoint_id = ${endpoint.id as string}
                    and status = 'pending')::int as deliveries`;
        const placed = placedIds();
        if (pending?.outbox === 0 && pending.deliveries === 0 && acknowledged.every((id) => placed.has(id))) break;
        if (Date.now() > deadline) {
          throw new Error(
            `events not delivered within 120 s: ${JSON.stringify(pending)}; ${acknowledged.filter((id) => !placed.has(id)).length} order.placed missing`,
          );
        }
        await sleep(250);
      }
      mark('every event delivered');
      const ids = received.map((r) => r.webhookId);
      const twice = ids.filter((id, i) => ids.indexOf(id) !== i);
      expect(twice).toEqual([]);
      const delivered = await pg<{ event_id: string }[]>`
        select event_id from webhook_delivery where endpoint_id = ${endpoint.id as string} and status = 'delivered'`;
      expect(new Set(ids)).toEqual(new Set(delivered.map((d) => d.event_id)));
      expect(ids.length).toBe(delivered.length);

      process.stdout.write(
        `nodes: ${acknowledged.length} orders acknowledged (${flashOrders} of ${FLASH_BUYERS} flash buyers, ${FLASH_UNITS} units), ` +
          `${refused.length} refused (${[...new Set(refusals)].join(', ')}); ${ids.length} webhook deliveries, none twice; requests sent again: ` +
          `${retried.noAnswer} after no answer, ${retried.inProgress} while the dead node's key was leased\n` +
          `${timeline.join('\n')}\n`,
      );
    } catch (err) {
      console.error(`--- cluster logs ---\n${cluster.logTail()}`);
      throw err;
    }
  }, 240_000);
});
