import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminProductViews, type BulkProduct, createProduct } from '../../src/modules/catalog/index.js';
import { systemActor } from '../../src/platform/audit/audit.js';
import type { Db } from '../../src/platform/db/database.js';
import { generatedProducts } from '../../src/seed.catalog.js';
import { putInStock, seed, seedGeneratedProducts, seedProducts } from '../../src/seed.js';
import { wireModules } from '../../src/wiring.js';
import { createTestApp, type TestApp } from '../support/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

interface Listed {
  handle: string;
  availability: string;
}

describe('demo data', () => {
  it('seeds a browsable demo shop once: products in every availability state, categories, collections, stock', async () => {
    expect(await seed(t.db.db)).toContain('demo catalog and stock');
    const res = await t.app.inject({ method: 'GET', url: '/v1/store/products?limit=100&currency=EUR' });
    expect(res.statusCode).toBe(200);
    const products = res.json<{ data: Listed[] }>().data;
    expect(products).toHaveLength(10);
    expect(new Set(products.map((p) => p.availability))).toEqual(new Set(['in_stock', 'low_stock', 'out_of_stock']));
    const tops = await t.app.inject({ method: 'GET', url: '/v1/store/products?category=tops&limit=100' });
    expect(tops.json<{ data: Listed[] }>().data.length).toBe(6);
    const summer = await t.app.inject({ method: 'GET', url: '/v1/store/products?collection=summer-essentials' });
    expect(summer.json<{ data: Listed[] }>().data.map((p) => p.handle)).toEqual([
      'linen-summer-shirt',
      'organic-cotton-t-shirt',
      'canvas-tote-bag',
    ]);
    const movements = await t.db.db
      .selectFrom('stock_movement')
      .select('reason')
      .where('reference_id', '=', 'seed')
      .execute();
    expect(movements.length).toBeGreaterThan(10);
    // Running it again adds nothing.
    const before = (await t.db.db.selectFrom('product').select('id').execute()).length;
    await seed(t.db.db);
    expect((await t.db.db.selectFrom('product').select('id').execute()).length).toBe(before);
  });

  it('generates N products × 3 variants with stock for benchmarks', async () => {
    const before = (await t.db.db.selectFrom('variant').select('id').execute()).length;
    expect(await seedProducts(t.db.db, 5)).toBe(5);
    expect((await t.db.db.selectFrom('variant').select('id').execute()).length).toBe(before + 15);
  });

  it('writes generated products in bulk exactly as creating them one by one did: admin view, storefront answer, search, stock, ledger, events', async () => {
    const db = t.db.db;
    const bulk = await seedGeneratedProducts(db, 4, { run: 'BULK' });
    // The path the seed took before: one createProduct per product, then the stock per SKU.
    const single = generatedProducts(4, 'ONE');
    const singleIds: string[] = [];
    for (const p of single.products)
      singleIds.push((await createProduct(wireModules(db).catalog, systemActor, createInput(p))).id);
    await putInStock(db, { productIds: singleIds, stock: single.stock });

    expect(bulk.productIds).toHaveLength(4);
    const bulkShop = await shopOf(t, bulk.productIds);
    const singleShop = await shopOf(t, singleIds);
    expect(normalise(bulkShop, 'bulk')).toEqual(normalise(singleShop, 'one'));
    // Not vacuous: images, two currencies, three variants, stock and a storefront document each.
    const first = bulkShop.admin[0] as { images: unknown[]; variants: { prices: unknown[] }[] };
    expect(first.images).toHaveLength(1);
    expect(first.variants.map((v) => v.prices.length)).toEqual([2, 2, 2]);
    expect(bulkShop.storefront).toHaveLength(4);
    expect(bulkShop.stock.length).toBe(12);
    expect(bulkShop.stock.filter((s) => s.on_hand > 0).length).toBeGreaterThan(0);
    // Levels agree with their ledger.
    for (const s of bulkShop.stock) expect(s.ledger).toBe(s.on_hand);
    // Search finds a generated product by its title.
    const title = (bulkShop.storefront[0] as { title: string }).title;
    const found = await t.app.inject({
      method: 'GET',
      url: `/v1/store/products?limit=100&q=${encodeURIComponent(title)}`,
    });
    expect(found.json<{ data: { id: string }[] }>().data.map((p) => p.id)).toContain(bulk.productIds[0]);
  });
});

/** The input `createProduct` takes for a generated product (what the seed passed before it wrote in bulk). */
function createInput(p: BulkProduct) {
  return {
    title: p.title,
    handle: p.handle,
    description: p.description,
    status: p.status,
    tags: p.tags,
    images: (p.images ?? []).map((i) => ({ url: i.url, alt: i.alt ?? undefined })),
    options: p.options,
    categoryIds: p.categoryIds,
    salesChannelIds: p.channelIds ?? [],
    variants: p.variants.map((v) => ({
      sku: v.sku,
      options: v.options,
      ...(v.weightGrams === null ? {} : { weightGrams: v.weightGrams }),
      prices: v.prices.map((pr) => ({
        currency: pr.currency,
        amount: pr.amount,
        ...(pr.compareAtAmount === null ? {} : { compareAtAmount: pr.compareAtAmount }),
      })),
    })),
  };
}

/** What a shop shows and keeps of these products, in product order. */
async function shopOf(t: TestApp, productIds: string[]) {
  const db: Db = t.db.db;
  const views = await adminProductViews(db, productIds);
  const admin = productIds.map((id) => views.find((v) => v.id === id));
  const storefront = [];
  for (const id of productIds) {
    const res = await t.app.inject({ method: 'GET', url: `/v1/store/products/${id}?currency=USD` });
    expect(res.statusCode).toBe(200);
    storefront.push(res.json());
  }
  const stock = await sql<{ sku: string; on_hand: number; ledger: number; reasons: string[]; events: string[] }>`
    select v.sku, l.on_hand,
           (select coalesce(sum(m.delta_on_hand), 0)::int from stock_movement m
             where m.item_id = i.id and m.location_id = l.location_id) as ledger,
           (select coalesce(array_agg(m.reason || ':' || coalesce(m.reference_id, '') order by m.id), '{}')
              from stock_movement m where m.item_id = i.id) as reasons,
           (select coalesce(array_agg(e.type order by e.type), '{}') from outbox_event e where e.aggregate_id = i.id) as events
      from variant v
      join inventory_item i on i.variant_id = v.id
      join inventory_level l on l.item_id = i.id
     where v.product_id = any(${productIds}::text[])
     order by v.product_id, v.position`.execute(db);
  const docs = await sql<{ words: string[]; search: string; stock_status: string; channel: string }>`
    select d.words, d.search::text as search, d.stock_status, d.sales_channel_id as channel
      from product_document d where d.product_id = any(${productIds}::text[]) order by d.product_id`.execute(db);
  const events = await sql<{ type: string }>`
    select e.type from outbox_event e where e.aggregate_id = any(${productIds}::text[]) and e.type like 'product.%'
     order by e.aggregate_id, e.type`.execute(db);
  // catalog.storefront_changed (the CDN purge) is left out: a batch names all its products in one event.
  return { admin, storefront, stock: stock.rows, docs: docs.rows, events: events.rows.map((e) => e.type) };
}

/** Ids, the run in handles and SKUs, and timestamps differ between two runs; nothing else may. */
function normalise(value: unknown, run: string): unknown {
  return JSON.parse(
    JSON.stringify(value)
      .replace(/\b[a-z]+_[0-9a-z]{26}\b/g, 'ID')
      .replace(new RegExp(`gen-${run}-`, 'g'), 'gen-RUN-')
      .replace(new RegExp(`GEN-${run.toUpperCase()}-`, 'g'), 'GEN-RUN-')
      .replace(new RegExp(`gen${run}`, 'g'), 'genRUN')
      .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, 'TIME'),
  );
}
