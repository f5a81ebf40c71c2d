import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyVariantStock } from '../../src/modules/catalog/index.js';
import { withTransaction } from '../../src/platform/db/transaction.js';
import { auth, staffSession } from '../identity/staff.helpers.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { type CreatedProduct, changeAndRebuild, createProducts } from './catalog.fixtures.js';
import {
  countStatements,
  nextCatalogNotification,
  type StoreList,
  type StoreProduct,
  storeGet,
} from './storefront.support.js';

/**
 * HTTP caching of the storefront answers: ETag, Cache-Control, Vary and surrogate keys; 304 for a current
 * If-None-Match without a statement; a change makes a new tag at once on every instance; and the purge
 * event a CDN hook consumes, written with the change.
 */

let a: TestApp;
let b: TestApp;
let kettle: CreatedProduct;
let mug: CreatedProduct;
beforeAll(async () => {
  a = await createTestApp();
  // A second instance on the same database, with its own settings and its own in-process cache.
  b = await createTestApp({ db: a.db, env: { STOREFRONT_MAX_AGE_S: '5', STOREFRONT_SWR_S: '7' } });
  const notified = await nextCatalogNotification(a.db);
  [kettle, mug] = (await createProducts(a.db.db, [
    { title: 'Etag kettle', variants: [{ prices: { EUR: 1000 }, stock: { available: 5 } }] },
    { title: 'Etag mug', variants: [{ prices: { EUR: 500 }, stock: { available: 5 } }] },
  ])) as [CreatedProduct, CreatedProduct];
  await notified();
});
afterAll(async () => {
  await b?.close();
  await a?.close();
});

const detailUrl = () => `/v1/store/products/${kettle.handle}?currency=EUR`;
const listUrl = '/v1/store/products?limit=50&currency=EUR';
const get = (t: TestApp, url: string, headers: Record<string, string> = {}) => storeGet(t, url, headers);

/** Purge events written since `since` (outbox ids are time-sortable), oldest first. */
async function purgeEvents(since: string) {
  const rows = await a.db.db
    .selectFrom('outbox_event')
    .select(['id', 'aggregate_id', 'payload'])
    .where('type', '=', 'catalog.storefront_changed')
    .where('id', '>', since)
    .orderBy('id')
    .execute();
  return rows.map((r) => ({ aggregateId: r.aggregate_id, ...(r.payload as { keys: string[]; productIds: string[] }) }));
}
async function lastEventId(): Promise<string> {
  const row = await a.db.db.selectFrom('outbox_event').select('id').orderBy('id', 'desc').limit(1).executeTakeFirst();
  return row?.id ?? '';
}

describe('caching headers', () => {
  it('sends a weak ETag, public Cache-Control from the settings, Vary and surrogate keys on detail and list', async () => {
    const detail = await get(a, detailUrl());
    expect(detail.statusCode).toBe(200);
    expect(detail.headers.etag).toMatch(/^W\/"[A-Za-z0-9_-]{27}"$/);
    expect(detail.headers['cache-control']).toBe('public, max-age=30, stale-while-revalidate=60');
    expect(String(detail.headers.vary).toLowerCase()).toContain('x-publishable-key');
    expect(detail.headers['surrogate-key']).toBe(`product:${kettle.id}`);
    expect(detail.headers['cache-tag']).toBe(`product:${kettle.id}`);

    const list = await get(a, listUrl);
    const ids = list.json<StoreList>().data.map((p) => p.id);
    expect(ids).toEqual(expect.arrayContaining([kettle.id, mug.id]));
    expect(list.headers.etag).toMatch(/^W\/"/);
    expect(list.headers.etag).not.toBe(detail.headers.etag);
    expect(String(list.headers['surrogate-key']).split(' ')).toEqual(['products', ...ids.map((id) => `product:${id}`)]);
    expect(String(list.headers['cache-tag']).split(',')).toEqual(['products', ...ids.map((id) => `product:${id}`)]);

    // The numbers are settings; the tag is the same on every instance (it is made from the database's state).
    const other = await get(b, detailUrl());
    expect(other.headers['cache-control']).toBe('public, max-age=5, stale-while-revalidate=7');
    expect(other.headers.etag).toBe(detail.headers.etag);
  });

  it('gives another tag for another currency or another channel, and none on an error (no-store)', async () => {
    const eur = await get(a, detailUrl());
    const usd = await get(a, `/v1/store/products/${kettle.handle}?currency=USD`);
    expect(usd.headers.etag).not.toBe(eur.headers.etag);

    const owner = (await staffSession(a)).token;
    const channel = await a.app.inject({
      method: 'POST',
      url: '/v1/admin/sales-channels',
      headers: auth(owner),
      payload: { name: 'Etag kiosk' },
    });
    const key = await a.app.inject({
      method: 'POST',
      url: '/v1/admin/api-keys',
      headers: auth(owner),
      payload: { name: 'etag kiosk', kind: 'publishable', salesChannelId: channel.json<{ id: string }>().id },
    });
    const pk = { 'x-publishable-key': key.json<{ key: string }>().key };
    const kiosk = await get(a, listUrl, pk);
    expect(kiosk.json<StoreList>().data).toEqual([]);
    expect(kiosk.headers.etag).not.toBe((await get(a, listUrl)).headers.etag);

    const missing = await get(a, '/v1/store/products/no-such-product');
    expect(missing.statusCode).toBe(404);
    expect(missing.headers['cache-control']).toBe('no-store');
    expect(missing.headers.etag).toBeUndefined();
    expect(missing.headers['surrogate-key']).toBeUndefined();
    const bad = await get(a, '/v1/store/products?currency=eur');
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['cache-control']).toBe('no-store');
  });
});

describe('If-None-Match', () => {
  it('answers 304 with no body and the same headers, from the cache without a statement', async () => {
    for (const url of [detailUrl(), listUrl]) {
      const first = await get(a, url);
      const etag = String(first.headers.etag);
      const { result: res, count } = await countStatements(() => get(a, url, { 'if-none-match': etag }));
      expect(res.statusCode, url).toBe(304);
      expect(res.body, url).toBe('');
      expect(count, url).toBe(0);
      for (const h of ['etag', 'cache-control', 'vary', 'surrogate-key', 'cache-tag']) {
        expect(res.headers[h], `${url} ${h}`).toBe(first.headers[h]);
      }
    }
  });

  it('matches weakly, in a list, and for *; anything else gets the full answer', async () => {
    const etag = String((await get(a, detailUrl())).headers.etag);
    const strong = etag.replace(/^W\//, '');
    for (const header of [etag, strong, `"other", ${etag}`, `W/"x",${strong} , "y"`, '*', ' * ']) {
      expect((await get(a, detailUrl(), { 'if-none-match': header })).statusCode, header).toBe(304);
    }
    for (const header of ['"other"', `W/${strong.slice(0, -2)}"`, strong.slice(1, -1), '*x']) {
      expect((await get(a, detailUrl(), { 'if-none-match': header })).statusCode, header).toBe(200);
    }
  });

  it('treats malformed values as no match (200, full body), never as an error', async () => {
    const bad = [
      'garbage',
      '"unterminated',
      'W/',
      ',,,',
      '""',
      '"a b"',
      'W/"x" junk "y"',
      `${'"x",'.repeat(2000)}"y"`,
      '\u00ff\u00fe',
    ];
    for (const header of bad) {
      const res = await get(a, detailUrl(), { 'if-none-match': header });
      expect(res.statusCode, header).toBe(200);
      expect(res.json<StoreProduct>().id, header).toBe(kettle.id);
    }
  });

  it('still answers 304 without the in-process cache, in the one statement a full answer costs', async () => {
    const uncached = await createTestApp({ db: a.db, env: { STOREFRONT_CACHE_ENTRIES: '0' } });
    try {
      const full = await countStatements(() => get(uncached, detailUrl()));
      expect(full.count).toBe(1);
      const etag = String(full.result.headers.etag);
      expect(etag).toBe(String((await get(a, detailUrl())).headers.etag));
      const revalidated = await countStatements(() => get(uncached, detailUrl(), { 'if-none-match': etag }));
      expect(revalidated.result.statusCode).toBe(304);
      expect(revalidated.result.body).toBe('');
      expect(revalidated.count).toBe(1);
    } finally {
      await uncached.close();
    }
  });
});

describe('a catalog change', () => {
  it('changes the tag and shows the new price at once on both instances, and emits the keys to purge', async () => {
    const before = { detail: await get(a, detailUrl()), list: await get(b, listUrl) };
    await get(b, detailUrl()); // cached on b too
    const since = await lastEventId();
    const notified = await nextCatalogNotification(a.db);
    await changeAndRebuild(a.db.db, [kettle.id], (tx) =>
      tx.updateTable('variant_price').set({ amount: 2500 }).where('variant_id', '=', kettle.variantIds[0]!).execute(),
    );
    await notified();

    for (const t of [a, b]) {
      // The old tag no longer matches: the full answer with the new price and a new tag.
      const detail = await get(t, detailUrl(), { 'if-none-match': String(before.detail.headers.etag) });
      expect(detail.statusCode).toBe(200);
      expect(detail.json<StoreProduct>().variants[0]?.price).toEqual({ amount: 2500, currency: 'EUR' });
      expect(detail.headers.etag).not.toBe(before.detail.headers.etag);
      const list = await get(t, listUrl, { 'if-none-match': String(before.list.headers.etag) });
      expect(list.statusCode).toBe(200);
      expect(list.json<StoreList>().data.find((p) => p.id === kettle.id)?.variants[0]?.price?.amount).toBe(2500);
      // The new tag matches from now on.
      expect((await get(t, detailUrl(), { 'if-none-match': String(detail.headers.etag) })).statusCode).toBe(304);
    }
    // Both instances tag the new state alike.
    expect((await get(a, detailUrl())).headers.etag).toBe((await get(b, detailUrl())).headers.etag);

    expect(await purgeEvents(since)).toEqual([
      { aggregateId: kettle.id, keys: ['products', `product:${kettle.id}`], productIds: [kettle.id] },
    ]);
  });

  it('leaves the other products’ tags alone', async () => {
    const mugUrl = `/v1/store/products/${mug.handle}?currency=EUR`;
    const before = String((await get(a, mugUrl)).headers.etag);
    const notified = await nextCatalogNotification(a.db);
    await changeAndRebuild(a.db.db, [kettle.id], (tx) =>
      tx.updateTable('product').set({ title: 'Etag kettle, renamed' }).where('id', '=', kettle.id).execute(),
    );
    await notified();
    expect((await get(a, mugUrl, { 'if-none-match': before })).statusCode).toBe(304);
  });

  it('purges on a stock change that flips availability, and not on one that does not', async () => {
    const variantId = mug.variantIds[0]!;
    const stock = (available: number) =>
      withTransaction(a.db.db, (tx) =>
        applyVariantStock(tx, [{ variantId, available, allowBackorder: false, lowStockThreshold: 0 }]),
      );
    const mugUrl = `/v1/store/products/${mug.handle}?currency=EUR`;
    const etag = String((await get(a, mugUrl)).headers.etag);
    const since = await lastEventId();
    await stock(4); // still in stock: no document change
    expect(await purgeEvents(since)).toEqual([]);
    expect((await get(a, mugUrl, { 'if-none-match': etag })).statusCode).toBe(304);

    const notified = await nextCatalogNotification(a.db);
    await stock(0);
    await notified();
    expect(await purgeEvents(since)).toEqual([
      { aggregateId: mug.id, keys: ['products', `product:${mug.id}`], productIds: [mug.id] },
    ]);
    const after = await get(b, mugUrl, { 'if-none-match': etag });
    expect(after.statusCode).toBe(200);
    expect(after.json<StoreProduct>().availability).toBe('out_of_stock');
  });

  it('purges an unpublished product and a published one, not a draft that stays a draft', async () => {
    const [draft] = await createProducts(a.db.db, [{ title: 'Etag draft', status: 'draft' }]);
    const since = await lastEventId();
    await changeAndRebuild(a.db.db, [draft!.id], (tx) =>
      tx.updateTable('product').set({ title: 'Etag draft, renamed' }).where('id', '=', draft!.id).execute(),
    );
    expect(await purgeEvents(since)).toEqual([]);

    await changeAndRebuild(a.db.db, [draft!.id], (tx) =>
      tx.updateTable('product').set({ status: 'active' }).where('id', '=', draft!.id).execute(),
    );
    await changeAndRebuild(a.db.db, [draft!.id], (tx) =>
      tx.deleteFrom('product_channel').where('product_id', '=', draft!.id).execute(),
    );
    const keys = ['products', `product:${draft!.id}`];
    expect((await purgeEvents(since)).map((e) => e.keys)).toEqual([keys, keys]);
  });

  it('emits the purge event through the admin API in the transaction of a price change', async () => {
    const owner = (await staffSession(a, 'role_catalog_manager')).token;
    const since = await lastEventId();
    const res = await a.app.inject({
      method: 'POST',
      url: '/v1/admin/prices/bulk',
      headers: auth(owner),
      payload: {
        prices: [
          { variantId: kettle.variantIds[0], currency: 'EUR', amount: 2600 },
          { variantId: mug.variantIds[0], currency: 'EUR', amount: 600 },
        ],
      },
    });
    expect(res.statusCode, res.body).toBe(200);
    const ids = [kettle.id, mug.id].sort();
    expect(await purgeEvents(since)).toEqual([
      { aggregateId: null, keys: ['products', ...ids.map((id) => `product:${id}`)], productIds: ids },
    ]);
  });
});
