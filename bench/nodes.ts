import { loadavg } from 'node:os';
import postgres from 'postgres';
import { type Cluster, startCluster } from '../test/browser/support/cluster.js';
import { address } from './checkout.shop.js';
import { type BenchContext, type HttpClient, httpClient, type Result, runOps } from './support.js';

/**
 * `nodes` (issue 17): guest checkouts per second through haproxy (deploy/haproxy.cfg) with one `serve` node behind it,
 * then with two — each run a fresh database with the demo shop, one `backroom worker`, Redis when REDIS_URL is set,
 * started by the multi-node test's harness (test/browser/support/cluster.ts) from dist/. Same balancer, same op, same
 * connections: only the number of serve nodes changes. On a 2-core machine the nodes, PostgreSQL and the load
 * generator share the cores, so this shows what a second process costs or buys here, not what a second machine would.
 */

export interface NodesResult {
  one: Result;
  two: Result;
  note?: string;
}

interface DemoStock {
  variantIds: string[];
}

/** Every single-location variant of the demo shop gets 10 million units (through the admin API) for the run. */
async function stockUp(cluster: Cluster): Promise<DemoStock> {
  const pg = postgres(cluster.databaseUrl, { max: 1, onnotice: () => {} });
  try {
    const rows = await pg<{ variant_id: string; item_id: string; location_id: string }[]>`
      select v.id as variant_id, i.id as item_id, min(l.location_id) as location_id
        from product p join variant v on v.product_id = p.id
        join inventory_item i on i.variant_id = v.id
        join inventory_level l on l.item_id = i.id
       where p.status = 'active'
       group by v.id, i.id having count(*) = 1`;
    for (const r of rows) {
      const res = await fetch(`${cluster.url}/v1/admin/inventory/items/${r.item_id}/adjustments`, {
        method: 'POST',
        headers: { authorization: `Bearer ${cluster.adminKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ locationId: r.location_id, delta: 10_000_000, reason: 'received' }),
      });
      if (!res.ok) throw new Error(`stock adjustment → ${res.status} ${await res.text()}`);
    }
    return { variantIds: rows.map((r) => r.variant_id) };
  } finally {
    await pg.end();
  }
}

/** The guest checkout of the storefront contract, manual payment: 7 requests ending in a placed order. */
async function checkoutOnce(c: HttpClient, stock: DemoStock): Promise<void> {
  const variantId = stock.variantIds[Math.floor(Math.random() * stock.variantIds.length)] as string;
  const cart = await c.json<{ id: string }>('POST', '/v1/store/carts', { countryCode: 'DE' }, 201);
  const path = `/v1/store/carts/${cart.id}`;
  await c.json('POST', `${path}/lines`, { variantId, quantity: 1 }, 200);
  await c.json('PATCH', path, { email: `bench-${cart.id.slice(-12)}@example.com`, shippingAddress: address }, 200);
  const options = await c.json<{ data: { id: string }[] }>('GET', `${path}/shipping-options`, undefined, 200);
  const optionId = options.data[0]?.id;
  if (!optionId) throw new Error('no shipping option for DE');
  await c.json('POST', `${path}/shipping-method`, { optionId }, 200);
  await c.json('POST', `${path}/payment`, { provider: 'manual' }, 200);
  const done = await c.json<{ order: { status: string } }>('POST', `${path}/complete`, undefined, 200);
  if (done.order?.status !== 'placed') throw new Error(`complete answered order status ${done.order?.status}`);
}

async function measure(ctx: BenchContext, serveNodes: number): Promise<Result & { firstError?: string }> {
  const cluster = await startCluster({
    baseDatabaseUrl: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    serveNodes,
    workers: 1,
    // The bench measures throughput, not the abuse limits; the admin key's stock-ups need the API.
    env: { RATE_LIMIT_MAX: '1000000' },
  });
  try {
    const stock = await stockUp(cluster);
    const c = httpClient(cluster.url, ctx.connections);
    try {
      // A short unmeasured warm-up (JIT, pools, plan caches, the balancer's connections) on every node.
      await runOps({ ...ctx, seconds: Math.min(2, Math.max(1, ctx.seconds / 5)) }, () => checkoutOnce(c, stock));
      const { ops: _ops, ...r } = await runOps(ctx, () => checkoutOnce(c, stock));
      return r;
    } finally {
      c.close();
    }
  } finally {
    await cluster.stop();
  }
}

export async function nodesScenario(ctx: BenchContext): Promise<NodesResult> {
  process.stdout.write('nodes: one serve node behind haproxy…\n');
  const one = await measure(ctx, 1);
  process.stdout.write('nodes: two serve nodes behind haproxy…\n');
  const two = await measure(ctx, 2);
  const errors = [one.firstError && `one: ${one.firstError}`, two.firstError && `two: ${two.firstError}`]
    .filter(Boolean)
    .join('; ');
  const strip = (r: Result): Result => ({ opsPerSec: r.opsPerSec, p50Ms: r.p50Ms, p99Ms: r.p99Ms, errors: r.errors });
  return {
    one: strip(one),
    two: strip(two),
    note:
      `guest checkouts/s (7 requests each) through haproxy, ${ctx.connections} connections, one worker, ` +
      `Redis ${process.env.REDIS_URL ? 'on' : 'off'}; two nodes = ${Math.round((100 * two.opsPerSec) / Math.max(0.1, one.opsPerSec))}% of one; ` +
      `machine load average ${loadavg()[0]?.toFixed(1)} at the end (the cores are shared with anything else running)` +
      (errors ? `; first errors: ${errors}` : ''),
  };
}
