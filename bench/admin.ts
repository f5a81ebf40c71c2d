import { sql } from 'kysely';
import { createApiKey, systemActor } from '../src/modules/identity/index.js';
import { importProductsCsv } from '../src/modules/imports/index.js';
import { seed } from '../src/seed.js';
import { wireModules } from '../src/wiring.js';
import {
  type BenchContext,
  benchDb,
  distIsStale,
  type Result,
  type Server,
  startBackroom,
  startBackroomFromSource,
} from './support.js';

/**
 * `npm run bench -- --scenarios admin`: the API calls each admin dashboard page makes, against a shop of 100,000
 * orders (BENCH_ADMIN_ORDERS) and 10,000 products (BENCH_ADMIN_PRODUCTS, two variants each, with stock) on
 * PostgreSQL. Products come in through the CSV import (the shop's own path: read model, stock, ledger); orders,
 * their lines and timeline, and 10,000 customers are written set-based (INSERT … SELECT generate_series), with a
 * realistic mix of statuses (most orders delivered, a recent backlog to capture and fulfil, some cancelled and
 * refunded), totals that are the sum of their lines, and names and emails to search. Each call runs for
 * `--seconds` in BENCH_ADMIN_CONNECTIONS (default 4: a few staff at once, not a load test) closed loops with a
 * secret API key; reported: p50, p95, p99. Goal: every call's p95 < 100 ms.
 * BENCH_ADMIN_DROP_INDEXES=1 drops migration 0031's indexes first (the "before" numbers).
 */

const ORDERS = Number(process.env.BENCH_ADMIN_ORDERS ?? 100_000);
const PRODUCTS = Number(process.env.BENCH_ADMIN_PRODUCTS ?? 10_000);
const CUSTOMERS = 10_000;
const CONNECTIONS = Number(process.env.BENCH_ADMIN_CONNECTIONS ?? 4);

export type AdminResult = Result & { p95Ms: number };

const words = {
  adjectives: ['Classic', 'Soft', 'Bold', 'Slim', 'Warm', 'Light', 'Rugged', 'Tiny', 'Grand', 'Quiet'],
  materials: ['Cotton', 'Linen', 'Wool', 'Leather', 'Canvas', 'Denim', 'Silk', 'Bamboo'],
  nouns: ['Shirt', 'Scarf', 'Bag', 'Jacket', 'Cap', 'Belt', 'Sock', 'Blanket', 'Apron', 'Mug', 'Wallet'],
  first: [
    'Ada',
    'Alan',
    'Grace',
    'Edsger',
    'Barbara',
    'Donald',
    'Ken',
    'Margaret',
    'Linus',
    'Frances',
    'John',
    'Mary',
    'Zoë',
    'José',
    'Amélie',
    'Søren',
    'Yuki',
    'Priya',
    'Omar',
    'Chen',
  ],
  last: [
    'Lovelace',
    'Turing',
    'Hopper',
    'Dijkstra',
    'Liskov',
    'Knuth',
    'Thompson',
    'Hamilton',
    'Torvalds',
    'Allen',
    'McCarthy',
    'Müller',
    'García',
    'Kowalski',
    'Nakamura',
    'Okafor',
    'Johansson',
    'Dubois',
    'Rossi',
    'Novak',
  ],
};

function productsCsv(count: number): string {
  const lines = ['handle,title,description,status,tags,option1_name,option1_value,sku,price_EUR,stock_main'];
  const pick = (list: readonly string[], i: number) => list[i % list.length] as string;
  for (let i = 0; i < count; i++) {
    const title = `${pick(words.adjectives, i)} ${pick(words.materials, Math.floor(i / 10))} ${pick(words.nouns, Math.floor(i / 80))} ${i + 1}`;
    for (const size of ['S', 'L']) {
      const first = size === 'S';
      lines.push(
        `adm-${i + 1},${first ? title : ''},${first ? 'Seeded for the admin bench' : ''},${first ? 'active' : ''},${first ? 'bench' : ''},Size,${size},ADM-${i + 1}-${size},${1000 + (i % 60) * 100},${i % 25}`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

/** Customers, orders, lines and one timeline entry per order: a year of a busy shop, newest orders last. */
async function seedOrders(db: Awaited<ReturnType<typeof benchDb>>['db']) {
  const first = sql`${words.first}::text[]`;
  const last = sql`${words.last}::text[]`;
  // Ids: the TypeID shape (prefix, `0`, 25 base-32 characters) from the row number, so they sort with it.
  await sql`
    insert into customer (id, email, email_normalized, password_hash, first_name, last_name, created_at)
    select 'cus_0' || lpad(to_hex(c), 25, '0'), 'customer' || c || '@example.com', 'customer' || c || '@example.com',
           'bench-no-login', (${first})[1 + c % 20], (${last})[1 + (c / 20) % 20],
           now() - make_interval(days => 400 - c % 400)
      from generate_series(1, ${CUSTOMERS}) c`.execute(db);
  await sql`
    with g as (
      select g, g % 1000 as r, (${first})[1 + (g * 7) % 20] as fn, (${last})[1 + (g * 13) % 20] as ln,
             case when g % 10 < 6 then 1 + (g * 31) % ${CUSTOMERS} end as c,
             now() - make_interval(mins => (${ORDERS} - g) * 5) as at
        from generate_series(1, ${ORDERS}) g)
    insert into "order" (id, customer_id, email, sales_channel_id, currency, status, payment_status, fulfillment_status,
                         subtotal, shipping_total, total, shipping_address, billing_address, shipping_method,
                         created_at, placed_at, cancelled_at, updated_at)
    select 'ord_0' || lpad(to_hex(g), 25, '0'),
           case when c is not null then 'cus_0' || lpad(to_hex(c), 25, '0') end,
           case when c is not null then 'customer' || c || '@example.com'
                else lower(replace(fn, 'ë', 'e')) || '.' || lower(ln) || g || '@mail.test' end,
           'sc_default', 'EUR',
           case when r < 10 then 'pending_payment' when r < 40 then 'cancelled'
                when g > ${ORDERS} - 2000 then 'placed' else 'completed' end,
           case when r < 10 then 'not_paid' when r < 40 then 'voided' when r < 50 then 'refunded'
                when g > ${ORDERS} - 2000 and r % 3 = 0 then 'authorized' else 'paid' end,
           case when r < 40 then 'not_fulfilled' when r < 50 then 'returned'
                when g > ${ORDERS} - 2000 then (array['not_fulfilled', 'partially_fulfilled', 'shipped'])[1 + r % 3]
                else 'delivered' end,
           0, 490, 0,
           jsonb_build_object('firstName', fn, 'lastName', ln, 'line1', g || ' Main St', 'city', 'Berlin',
                              'postalCode', '10115', 'countryCode', 'DE'),
           case when g % 7 = 0 then jsonb_build_object('firstName', (${first})[1 + g % 20], 'lastName', 'Billing',
                'line1', '1 Office Rd', 'city', 'Berlin', 'postalCode', '10115', 'countryCode', 'DE') end,
           '{"id": "so_bench", "name": "Standard", "amount": 490}'::jsonb,
           at, case when r >= 10 then at end, case when r >= 10 and r < 40 then at end, at
      from g`.execute(db);
  await sql`
    with v as (select row_number() over (order by v.id) as n, v.id, v.product_id, v.sku, p.title
                 from variant v join product p on p.id = v.product_id),
         nv as (select count(*)::int as n from v)
    insert into order_line (id, order_id, variant_id, product_id, sku, title, variant_title, quantity, unit_price,
                            subtotal, total, fulfilled_quantity, shipped_quantity, returned_quantity, position)
    select 'ordl_0' || lpad(to_hex(g * 4 + k), 25, '0'), 'ord_0' || lpad(to_hex(g), 25, '0'), v.id, v.product_id, v.sku,
           v.title, 'Default', q, 1000 + (g * 7 + k) % 60 * 100, q * (1000 + (g * 7 + k) % 60 * 100),
           q * (1000 + (g * 7 + k) % 60 * 100),
           case when g % 1000 >= 40 and g <= ${ORDERS} - 2000 then q else 0 end,
           case when g % 1000 >= 40 and g <= ${ORDERS} - 2000 then q else 0 end,
           case when g % 1000 between 40 and 49 then q else 0 end, k
      from generate_series(1, ${ORDERS}) g
      cross join lateral generate_series(1, 1 + g % 3) k
      cross join lateral (select 1 + (g + k) % 2 as q) qq
      join v on v.n = 1 + (g * 31 + k * 17) % (select n from nv)`.execute(db);
  await sql`
    update "order" o set subtotal = l.s, total = l.s + o.shipping_total
      from (select order_id, sum(total) as s from order_line group by order_id) l
     where l.order_id = o.id`.execute(db);
  await sql`
    insert into order_event (id, order_id, at, kind, actor_type, data)
    select 'oev_0' || substr(o.id, 6), o.id, o.created_at, 'order.created', 'system', '{}'::jsonb from "order" o`.execute(
    db,
  );
}

export async function seedShop(databaseUrl: string): Promise<string> {
  const handle = await benchDb(databaseUrl);
  try {
    await seed(handle.db);
    const t0 = performance.now();
    const report = await importProductsCsv(wireModules(handle.db), productsCsv(PRODUCTS), {
      ctx: systemActor,
      referenceId: 'bench-admin',
    });
    if (report.status !== 'done') throw new Error(`admin bench import: ${JSON.stringify(report.errors.slice(0, 3))}`);
    const t1 = performance.now();
    await seedOrders(handle.db);
    process.stdout.write(
      `admin bench: ${PRODUCTS} products imported in ${((t1 - t0) / 1000).toFixed(1)} s, ${ORDERS} orders in ${((performance.now() - t1) / 1000).toFixed(1)} s\n`,
    );
    if (process.env.BENCH_ADMIN_DROP_INDEXES === '1') {
      for (const idx of [
        'order_search_trgm_idx',
        'order_status_idx',
        'order_payment_status_idx',
        'order_fulfillment_status_idx',
        'order_channel_idx',
        'order_total_idx',
      ]) {
        await sql`drop index if exists ${sql.id(idx)}`.execute(handle.db);
      }
      await sql`create index order_status_idx on "order" (status, created_at desc)`.execute(handle.db);
    }
    // Fresh tables have no statistics; a real shop's have (autovacuum). Plan as production would.
    await sql`vacuum analyze`.execute(handle.db);
    const { key } = await createApiKey(
      handle.db,
      { ctx: systemActor, createdBy: null },
      { kind: 'secret', name: 'bench admin', permissions: ['all'] },
    );
    return key;
  } finally {
    await handle.close();
  }
}

/**
 * Waits until the server's workers have sequenced and handled every event the seeding wrote (~30,000: one per
 * imported product, stock crossings), so each page is measured in a shop's steady state — not next to a relay
 * working through a backlog a real shop never has (it measured Home, the first call, at 3× its cost).
 */
async function outboxDrained(databaseUrl: string, timeoutMs = 300_000): Promise<void> {
  const handle = await benchDb(databaseUrl);
  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const res = await sql<{ n: number }>`
        select count(*)::int as n from outbox_event where status = 'pending' or position is null`.execute(handle.db);
      const left = res.rows[0]?.n ?? 0;
      if (left === 0) return;
      if (Date.now() > deadline) throw new Error(`admin bench: ${left} outbox events still unhandled`);
      await new Promise((r) => setTimeout(r, 500));
    }
  } finally {
    await handle.close();
  }
}

/** `CONNECTIONS` closed loops calling `path()` for `seconds`; latencies per call. */
async function measure(ctx: BenchContext, base: string, key: string, path: () => string): Promise<AdminResult> {
  const latencies: number[] = [];
  let errors = 0;
  let firstError = '';
  const t0 = performance.now();
  const end = t0 + ctx.seconds * 1000;
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (performance.now() < end) {
        const s = performance.now();
        const p = path();
        const res = await fetch(base + p, { headers: { authorization: `Bearer ${key}` } });
        const body = await res.arrayBuffer();
        if (res.status !== 200) {
          errors++;
          firstError ||= `${p} → ${res.status} ${Buffer.from(body).toString('utf8').slice(0, 200)}`;
        } else latencies.push(performance.now() - s);
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  const at = (q: number) =>
    Math.round((latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0) * 10) / 10;
  const p95Ms = at(0.95);
  return {
    opsPerSec: Math.round((latencies.length / ((performance.now() - t0) / 1000)) * 10) / 10,
    p50Ms: at(0.5),
    p95Ms,
    p99Ms: at(0.99),
    errors,
    note: `p95 ${p95Ms} ms${p95Ms >= 100 ? ' (over the 100 ms goal)' : ''}${firstError ? `; first error: ${firstError}` : ''}`,
  };
}

async function get<T>(base: string, key: string, path: string): Promise<{ status: number; body: T }> {
  const res = await fetch(base + path, { headers: { authorization: `Bearer ${key}` } });
  return { status: res.status, body: (await res.json()) as T };
}

/** The cursor of page `n` of `path` (following nextCursor from page 1). */
async function cursorOfPage(base: string, key: string, path: string, n: number): Promise<string> {
  let cursor = '';
  for (let page = 1; page < n; page++) {
    const res = await get<{ nextCursor: string | null }>(base, key, `${path}${cursor ? `&cursor=${cursor}` : ''}`);
    if (!res.body.nextCursor) throw new Error(`${path} has fewer than ${n} pages`);
    cursor = res.body.nextCursor;
  }
  return cursor;
}

const rotate = (paths: readonly string[]) => {
  let i = 0;
  return () => paths[i++ % paths.length] as string;
};

export async function adminScenarios(ctx: BenchContext): Promise<Record<string, AdminResult>> {
  if (!ctx.databaseUrl) throw new Error('the admin scenarios need PostgreSQL: drop --database embedded');
  process.stdout.write(`seeding ${ORDERS} orders and ${PRODUCTS} products × 2 variants…\n`);
  const key = await seedShop(ctx.databaseUrl);
  const server: Server = distIsStale() ? await startBackroomFromSource(ctx) : await startBackroom(ctx);
  const out: Record<string, AdminResult> = {};
  try {
    await outboxDrained(ctx.databaseUrl);
    const base = server.url;
    const orders = await get<{ data: { id: string }[] }>(base, key, '/v1/admin/orders?limit=100&sort=oldest');
    const products = await get<{ data: { id: string }[] }>(base, key, '/v1/admin/products?limit=100');
    const orderIds = orders.body.data.map((o) => o.id);
    const productIds = products.body.data.map((p) => p.id);
    const page5 = await cursorOfPage(base, key, '/v1/admin/orders?limit=20', 5);
    const page5Total = await cursorOfPage(base, key, '/v1/admin/orders?limit=20&sort=total_desc', 5);
    const calls: [string, () => string][] = [
      ['orders: default (newest, 20)', rotate(['/v1/admin/orders?limit=20'])],
      [
        'orders: search email part',
        rotate(
          ['customer123', 'customer4562@', 'ada.lovelace1', 'nobody@nowhere'].map(
            (q) => `/v1/admin/orders?q=${encodeURIComponent(q)}`,
          ),
        ),
      ],
      [
        'orders: search name',
        rotate(
          ['muller', 'Grace Hopper', 'knuth', 'amélie dubois', 'Nakamura'].map(
            (q) => `/v1/admin/orders?q=${encodeURIComponent(q)}`,
          ),
        ),
      ],
      [
        'orders: search number',
        rotate(['#1042', '51234', '99999'].map((q) => `/v1/admin/orders?q=${encodeURIComponent(q)}`)),
      ],
      [
        'orders: filter status/payment',
        rotate([
          '/v1/admin/orders?status=cancelled',
          '/v1/admin/orders?paymentStatus=authorized',
          '/v1/admin/orders?fulfillmentStatus=partially_fulfilled',
          '/v1/admin/orders?paymentStatus=refunded&fulfillmentStatus=returned',
        ]),
      ],
      ['orders: sorted by total', rotate(['/v1/admin/orders?sort=total_desc', '/v1/admin/orders?sort=total_asc'])],
      [
        'orders: page 5 (cursor)',
        rotate([
          `/v1/admin/orders?limit=20&cursor=${page5}`,
          `/v1/admin/orders?limit=20&sort=total_desc&cursor=${page5Total}`,
        ]),
      ],
      [
        'orders: date range + status',
        rotate([
          `/v1/admin/orders?createdFrom=${new Date(Date.now() - 30 * 86_400_000).toISOString()}&status=completed`,
          `/v1/admin/orders?createdFrom=2000-01-01T00:00:00Z&createdTo=${new Date(Date.now() - 200 * 86_400_000).toISOString()}`,
        ]),
      ],
      ['order detail', rotate(orderIds.map((id) => `/v1/admin/orders/${id}`))],
      ['products: list', rotate(['/v1/admin/products?limit=20'])],
      [
        'products: search',
        rotate(
          ['linen', 'ADM-4242', 'wool jacket', 'mug 77'].map((q) => `/v1/admin/products?q=${encodeURIComponent(q)}`),
        ),
      ],
      ['product detail', rotate(productIds.map((id) => `/v1/admin/products/${id}`))],
      ['inventory: list', rotate(['/v1/admin/inventory/items?limit=20', '/v1/admin/inventory/items?lowStock=true'])],
    ];
    calls.unshift(['home: dashboard', rotate(['/v1/admin/dashboard'])]);
    const customers = await get<{ data: { id: string }[] }>(base, key, '/v1/admin/customers?limit=100');
    const items = await get<{ data: { id: string }[] }>(base, key, '/v1/admin/inventory/items?limit=100');
    calls.push(
      [
        'inventory: item + movements',
        rotate(
          items.body.data.flatMap((i) => [
            `/v1/admin/inventory/items/${i.id}`,
            `/v1/admin/inventory/items/${i.id}/movements?limit=20`,
          ]),
        ),
      ],
      ['customers: list', rotate(['/v1/admin/customers?limit=20'])],
      ['customers: search', rotate(['customer42', 'hopper', 'nakamura'].map((q) => `/v1/admin/customers?q=${q}`))],
      ['customer detail', rotate(customers.body.data.map((c) => `/v1/admin/customers/${c.id}`))],
      ['imports: list', rotate(['/v1/admin/imports?limit=20'])],
    );
    for (const [name, path] of calls) {
      out[name] = await measure(ctx, base, key, path);
      process.stdout.write(`  ${name}: p50 ${out[name]?.p50Ms} ms, p95 ${out[name]?.p95Ms} ms\n`);
    }
  } finally {
    await server.stop();
  }
  return out;
}
