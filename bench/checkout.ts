import postgres from 'postgres';
import {
  address,
  FLASH_BUYERS,
  FLASH_IN_FLIGHT,
  FLASH_UNITS,
  PLENTY,
  type Shop,
  seedShop,
  VARIANTS,
} from './checkout.shop.js';
import { statementCounter } from './statement-counter.js';
import {
  type BenchContext,
  distIsStale,
  type FlashResult,
  type HttpClient,
  httpClient,
  type Result,
  runOps,
  type Server,
  startBackroom,
  startBackroomFromSource,
  startScript,
} from './support.js';

/**
 * Storefront checkout (issue 6): `cart` (create + add a line), `checkout` (the whole guest checkout of the
 * storefront contract, manual payment) and `flash` (500 buyers, 100 units, every `complete` at once). `cart` and
 * `checkout` run next to a bare server doing the same work in hand-written SQL over the same database
 * (bench/baseline-checkout.ts), driven by the same op code. Needs PostgreSQL.
 */

const pick = (ids: readonly string[]) => ids[Math.floor(Math.random() * ids.length)] as string;

/** `POST /v1/store/carts` + `POST …/lines`: the `cart` op (2 requests). Returns the cart id. */
export async function cartWithLine(c: HttpClient, shop: Shop, variantId = pick(shop.variantIds)): Promise<string> {
  const cart = await c.json<{ id: string }>('POST', '/v1/store/carts', { regionId: shop.regionId }, 201);
  await c.json('POST', `/v1/store/carts/${cart.id}/lines`, { variantId, quantity: 1 }, 200);
  return cart.id;
}

/**
 * Everything a buyer does before "complete": cart + line, email and address, the shipping options (a real
 * storefront shows them, so the GET is part of the op, not fetched once up front), the shipping method and the
 * payment method. 6 requests.
 */
async function readyCart(c: HttpClient, shop: Shop, variantId?: string): Promise<string> {
  const id = await cartWithLine(c, shop, variantId);
  await c.json(
    'PATCH',
    `/v1/store/carts/${id}`,
    { email: `buyer-${id.slice(-12)}@example.com`, shippingAddress: address },
    200,
  );
  const listed = await c.json<{ id: string }[] | { data: { id: string }[] }>(
    'GET',
    `/v1/store/carts/${id}/shipping-options`,
    undefined,
    200,
  );
  const options = Array.isArray(listed) ? listed : listed.data;
  const optionId = options.find((o) => o.id === shop.optionId)?.id;
  if (!optionId) throw new Error(`shipping-options did not list ${shop.optionId}`);
  await c.json('POST', `/v1/store/carts/${id}/shipping-method`, { optionId }, 200);
  await c.json('POST', `/v1/store/carts/${id}/payment`, { provider: 'manual' }, 200);
  return id;
}

/** The `checkout` op: the full guest checkout, 7 requests, ending in an order `placed`. */
export async function checkoutOnce(c: HttpClient, shop: Shop): Promise<void> {
  const id = await readyCart(c, shop);
  const done = await c.json<{ order: { status: string } }>('POST', `/v1/store/carts/${id}/complete`, undefined, 200);
  if (done.order?.status !== 'placed') throw new Error(`complete answered order status ${done.order?.status}`);
}

/** The flash sale, against a running Backroom: prepare every cart, then fire every `complete` at once. */
async function flashSale(
  url: string,
  shop: Shop,
  databaseUrl: string,
  flash = { variantId: shop.flashVariantId, itemId: shop.flashItemId },
): Promise<FlashResult> {
  const prep = httpClient(url, 16);
  const carts: string[] = [];
  try {
    // Setup before the clock starts: 500 carts with one unit of the flash variant each, ready to complete.
    let next = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < FLASH_BUYERS) {
          next++;
          carts.push(await readyCart(prep, shop, flash.variantId));
        }
      }),
    );
  } finally {
    prep.close();
  }
  const c = httpClient(url, FLASH_IN_FLIGHT);
  const statuses = new Map<number, number>();
  let firstAnswer = 0;
  let lastAnswer = 0;
  let i = 0;
  const t0 = performance.now();
  try {
    await Promise.all(
      Array.from({ length: FLASH_IN_FLIGHT }, async () => {
        while (i < carts.length) {
          const id = carts[i++] as string;
          const res = await c.request('POST', `/v1/store/carts/${id}/complete`).catch(() => ({ status: 0, text: '' }));
          const now = performance.now();
          if (!firstAnswer) firstAnswer = now;
          lastAnswer = now;
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        }
      }),
    );
  } finally {
    c.close();
  }
  const orders = statuses.get(200) ?? 0;
  const pg = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  try {
    const [sold] = await pg`
      select coalesce(sum(ol.quantity), 0)::int as units, count(distinct o.id)::int as orders
        from "order" o join order_line ol on ol.order_id = o.id
       where ol.variant_id = ${flash.variantId} and o.status <> 'cancelled'`;
    const [level] = await pg`
      select coalesce(sum(on_hand), 0)::int as on_hand, coalesce(sum(reserved), 0)::int as reserved,
             coalesce(sum(held), 0)::int as held
        from inventory_level where item_id = ${flash.itemId}`;
    const units = Number(sold?.units ?? 0);
    const onHand = Number(level?.on_hand ?? 0);
    const reserved = Number(level?.reserved ?? 0);
    const held = Number(level?.held ?? 0);
    const levelOk = onHand - reserved >= 0 && onHand - reserved - held >= 0;
    const answers = [...statuses.entries()]
      .sort(([a], [b]) => a - b)
      .map(([s, n]) => `${n}×${s || 'network error'}`)
      .join(', ');
    return {
      buyers: FLASH_BUYERS,
      units: FLASH_UNITS,
      orders,
      // Units sold beyond the 100, or (should the orders undercount) a level whose reservations exceed on hand.
      oversold: Math.max(0, units - FLASH_UNITS, reserved - onHand),
      seconds: Math.round(((lastAnswer || performance.now()) - t0) / 10) / 100,
      note:
        `seconds = first request sent → last answer (first answer after ${((firstAnswer - t0) / 1000).toFixed(2)} s); ` +
        `${FLASH_IN_FLIGHT} in flight; answers ${answers}; ${sold?.orders ?? 0} live orders hold ${units} units; ` +
        `level on_hand ${onHand} reserved ${reserved} held ${held}${levelOk ? '' : ' — NEGATIVE AVAILABLE'}`,
    };
  } finally {
    await pg.end();
  }
}

const STEPS = ['create', 'line', 'patch', 'options', 'method', 'payment', 'complete'] as const;

/**
 * SQL statements per request of the checkout op, counted by a proxy between the server and PostgreSQL (the
 * fewest over 3 sequential checkouts, after 2 warm-up ones, so background pollers and first-use queries drop out).
 */
async function statementsPerRequest(
  databaseUrl: string,
  shop: Shop,
  start: (url: string) => Promise<Server>,
): Promise<Record<(typeof STEPS)[number], number>> {
  // BENCH_TRACE_SQL=1 prints each request's statements (the last checkout's) — to see where the count comes from.
  const tracing = Boolean(process.env.BENCH_TRACE_SQL);
  const counter = await statementCounter(databaseUrl, { trace: tracing });
  const server = await start(counter.url);
  const c = httpClient(server.url, 1);
  try {
    for (let i = 0; i < 2; i++) await checkoutOnce(c, shop);
    const best = Object.fromEntries(STEPS.map((s) => [s, Number.POSITIVE_INFINITY])) as Record<
      (typeof STEPS)[number],
      number
    >;
    for (let i = 0; i < 3; i++) {
      let mark = counter.count();
      const step = async (name: (typeof STEPS)[number], fn: () => Promise<unknown>) => {
        await fn();
        const now = counter.count();
        best[name] = Math.min(best[name], now - mark);
        mark = now;
        if (tracing && i === 2) {
          process.stdout.write(`  ${name}: ${counter.trace.length} statements\n`);
          for (const q of counter.trace) process.stdout.write(`    ${q.replace(/\s+/g, ' ').slice(0, 220)}\n`);
        }
        counter.trace.length = 0;
      };
      let id = '';
      await step('create', async () => {
        id = (await c.json<{ id: string }>('POST', '/v1/store/carts', { regionId: shop.regionId }, 201)).id;
      });
      await step('line', () =>
        c.json('POST', `/v1/store/carts/${id}/lines`, { variantId: pick(shop.variantIds), quantity: 1 }, 200),
      );
      await step('patch', () =>
        c.json('PATCH', `/v1/store/carts/${id}`, { email: `count-${i}@example.com`, shippingAddress: address }, 200),
      );
      await step('options', () => c.json('GET', `/v1/store/carts/${id}/shipping-options`, undefined, 200));
      await step('method', () =>
        c.json('POST', `/v1/store/carts/${id}/shipping-method`, { optionId: shop.optionId }, 200),
      );
      await step('payment', () => c.json('POST', `/v1/store/carts/${id}/payment`, { provider: 'manual' }, 200));
      await step('complete', () => c.json('POST', `/v1/store/carts/${id}/complete`, undefined, 200));
    }
    return best;
  } finally {
    c.close();
    await server.stop();
    await counter.close();
  }
}

const total = (n: Record<string, number>) => STEPS.reduce((t, s) => t + (n[s] ?? 0), 0);
const statementLine = (n: Record<string, number>) => `${STEPS.map((s) => `${s} ${n[s]}`).join(', ')} = ${total(n)}`;

/** Transactions and row writes per op on the bench database (a cheap stand-in for statements per request). */
async function dbActivity(databaseUrl: string) {
  const pg = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  try {
    const [row] = await pg`
      select xact_commit::bigint as commits, (tup_inserted + tup_updated + tup_deleted)::bigint as writes,
             tup_fetched::bigint as fetched
        from pg_stat_database where datname = current_database()`;
    return { commits: Number(row?.commits), writes: Number(row?.writes) };
  } finally {
    await pg.end();
  }
}

async function measured(
  ctx: BenchContext,
  databaseUrl: string,
  op: () => Promise<unknown>,
): Promise<Result & { perOp: string }> {
  // A short unmeasured warm-up (JIT, pools, plan caches) for Backroom and the baseline alike.
  await runOps({ ...ctx, seconds: Math.min(1, ctx.seconds / 5) }, op);
  // pg_stat_database is updated when a backend reports (at most every 0.5 s): give it a moment on both sides.
  await new Promise((r) => setTimeout(r, 1100));
  const before = await dbActivity(databaseUrl);
  const r = await runOps(ctx, op);
  await new Promise((r) => setTimeout(r, 1100));
  const after = await dbActivity(databaseUrl);
  const ops = Math.max(1, r.ops);
  const perOp = `${((after.commits - before.commits) / ops).toFixed(1)} tx, ${((after.writes - before.writes) / ops).toFixed(1)} row writes per op`;
  const { ops: _ops, ...result } = r;
  return { ...result, perOp };
}

export async function checkoutScenarios(
  ctx: BenchContext,
  wanted: { cart: boolean; checkout: boolean; flash: boolean },
): Promise<{ cart?: Result; checkout?: Result; flash?: FlashResult }> {
  const databaseUrl = ctx.databaseUrl;
  if (!databaseUrl) throw new Error('cart/checkout/flash need PostgreSQL: drop --database embedded');
  process.stdout.write(`seeding a shop: ${VARIANTS} variants × ${PLENTY} units + the flash variant…\n`);
  const shop = await seedShop(databaseUrl);
  const out: { cart?: Result; checkout?: Result; flash?: FlashResult } = {};

  let baseCart: Result | undefined;
  let baseCheckout: Result | undefined;
  let baseFlash: FlashResult | undefined;
  if (wanted.cart || wanted.checkout || wanted.flash) {
    const baseline = await startScript('bench/baseline-checkout.ts', { DATABASE_URL: databaseUrl }, '/ready');
    const c = httpClient(baseline.url, ctx.connections);
    try {
      if (wanted.cart) baseCart = await measured(ctx, databaseUrl, () => cartWithLine(c, shop));
      if (wanted.checkout) baseCheckout = await measured(ctx, databaseUrl, () => checkoutOnce(c, shop));
      if (wanted.flash) baseFlash = await flashSale(baseline.url, shop, databaseUrl, shop.baseFlash);
    } finally {
      c.close();
      await baseline.stop();
    }
  }

  // dist/ is what `backroom serve` runs; when it is older than src/ the routes under test may be missing from it.
  const fromSource = distIsStale();
  if (fromSource) process.stdout.write('dist/ is older than src/: running Backroom from source (tsx)\n');
  const server = fromSource ? await startBackroomFromSource(ctx) : await startBackroom(ctx);
  const served = fromSource ? 'server from source (dist/ stale)' : 'server from dist/';
  try {
    if (wanted.cart || wanted.checkout) {
      const c = httpClient(server.url, ctx.connections);
      try {
        if (wanted.cart && baseCart) {
          const r = await measured(ctx, databaseUrl, () => cartWithLine(c, shop));
          out.cart = {
            ...strip(r),
            baseline: strip(baseCart),
            note: `create + add line (2 requests), ${served}; ${r.perOp} (baseline ${perOp(baseCart)})${firstError(r)}`,
          };
        }
        if (wanted.checkout && baseCheckout) {
          const r = await measured(ctx, databaseUrl, () => checkoutOnce(c, shop));
          out.checkout = {
            ...strip(r),
            baseline: strip(baseCheckout),
            note: `guest checkout, 7 requests incl. GET shipping-options, ${served}; ${r.perOp} (baseline ${perOp(baseCheckout)})${firstError(r)}`,
          };
        }
      } finally {
        c.close();
      }
    }
    if (wanted.flash) {
      const flash = await flashSale(server.url, shop, databaseUrl);
      const bare = baseFlash
        ? `; bare server (baseline): ${baseFlash.orders} orders, oversold ${baseFlash.oversold}, ${baseFlash.seconds} s`
        : '';
      out.flash = { ...flash, note: `${flash.note}; ${served}${bare}` };
    }
  } finally {
    await server.stop();
  }
  if (wanted.checkout && out.checkout && process.env.BENCH_COUNT_STATEMENTS !== '0') {
    process.stdout.write('counting SQL statements per request (one checkout at a time, through a proxy)…\n');
    const base = await statementsPerRequest(databaseUrl, shop, (url) =>
      startScript('bench/baseline-checkout.ts', { DATABASE_URL: url }, '/ready'),
    );
    const ours = await statementsPerRequest(databaseUrl, shop, (url) =>
      fromSource ? startBackroomFromSource({ ...ctx, databaseUrl: url }) : startBackroom({ ...ctx, databaseUrl: url }),
    );
    out.checkout.note = `${out.checkout.note}; SQL statements per request: ${statementLine(ours)} (baseline ${statementLine(base)})`;
    out.checkout = {
      ...out.checkout,
      statementsPerOp: total(ours),
      completeStatements: ours.complete,
      baselineStatements: { perOp: total(base), complete: base.complete },
    } as Result;
  }
  return out;
}

function perOp(r: Result): string {
  return (r as { perOp?: string }).perOp ?? '';
}

function firstError(r: Result): string {
  const e = (r as { firstError?: string }).firstError;
  return e ? `; first error: ${e}` : '';
}

/** The keys the catalog scenarios have (`opsPerSec, p50Ms, p99Ms, errors`), nothing else. */
function strip(r: Result): Result {
  return { opsPerSec: r.opsPerSec, p50Ms: r.p50Ms, p99Ms: r.p99Ms, errors: r.errors };
}
