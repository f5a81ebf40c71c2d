import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyVariantStock, CATALOG_CHANGED_CHANNEL } from '../../src/modules/catalog/index.js';
import { rebuildProductDocuments } from '../../src/modules/catalog/read-model.js';
import { StorefrontCache } from '../../src/modules/catalog/storefront.cache.js';
import { storefrontRoutes } from '../../src/modules/catalog/storefront.routes.js';
import { withTransaction } from '../../src/platform/db/transaction.js';
import { registerErrorHandlers } from '../../src/platform/http/error-handler.js';
import type { App } from '../../src/platform/http/types.js';
import { auth, staffSession } from '../identity/staff.helpers.js';
import { createTestApp, type TestApp } from '../support/app.js';
import type { TestDb } from '../support/db.js';
import { type CreatedProduct, changeAndRebuild, createProducts } from './catalog.fixtures.js';
import {
  countStatements,
  nextCatalogNotification,
  type StoreList,
  type StoreProduct,
  storeGet,
} from './storefront.support.js';

describe('StorefrontCache', () => {
  it('evicts the least recently used entry past its size and expires entries after the TTL', () => {
    let now = 0;
    const cache = new StorefrontCache(2, 1000, () => now);
    cache.set('a', 1, cache.generation);
    cache.set('b', 2, cache.generation);
    expect(cache.get('a')).toBe(1); // a is now the most recent
    cache.set('c', 3, cache.generation);
    expect([cache.get('a'), cache.get('b'), cache.get('c')]).toEqual([1, undefined, 3]);
    now = 1000;
    expect(cache.get('a')).toBeUndefined();
  });

  it('does not store a value read before an invalidation that arrived during the read', () => {
    const cache = new StorefrontCache();
    const seen = cache.generation;
    cache.clear(); // the notification arrives while the (now stale) read is in flight
    cache.set('k', 'stale', seen);
    expect(cache.get('k')).toBeUndefined();
  });
});

/**
 * Two storefront nodes on one database. (Built here rather than with createTestApp until app.ts
 * passes `listen` in CatalogDeps: without LISTEN the storefront does not cache at all.)
 */
async function storefrontNode(db: TestDb): Promise<TestApp> {
  const app = Fastify({
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true, allErrors: true } },
  }).withTypeProvider<TypeBoxTypeProvider>();
  registerErrorHandlers(app);
  app.decorateRequest('salesChannelId', null);
  await app.register(async (scope) =>
    storefrontRoutes(scope as unknown as App, { readDb: db.readDb, listen: db.listen }),
  );
  await app.ready();
  return { app: app as unknown as App, db, close: () => app.close() } as TestApp;
}

describe('storefront cache across two app instances', () => {
  let owner: TestApp;
  let a: TestApp;
  let b: TestApp;
  let product: CreatedProduct;
  beforeAll(async () => {
    owner = await createTestApp();
    a = await storefrontNode(owner.db);
    b = await storefrontNode(owner.db);
    // Let the creation's own notification land first, so it cannot clear what the tests cache.
    const created = await nextCatalogNotification(a.db);
    [product] = (await createProducts(a.db.db, [
      { title: 'Cached kettle', variants: [{ prices: { EUR: 1000 }, stock: { available: 5 } }] },
    ])) as [CreatedProduct];
    await created();
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
    await owner?.close();
  });

  const detail = async (t: TestApp) => (await storeGet(t, `/v1/store/products/${product.handle}`)).json<StoreProduct>();
  const listed = async (t: TestApp) => (await storeGet(t, '/v1/store/products?limit=5')).json<StoreList>().data[0]!;

  it('serves a repeated request from the cache without touching the database', async () => {
    await detail(b);
    await listed(b);
    const again = await countStatements(async () => [await detail(b), await listed(b)]);
    expect(again.count).toBe(0);
    expect(again.result[0]?.variants[0]?.price).toEqual({ amount: 1000, currency: 'EUR' });
  });

  it('shows a committed price change through the other instance as soon as the notification arrives', async () => {
    expect((await detail(b)).variants[0]!.price?.amount).toBe(1000); // cached on b
    expect((await listed(a)).variants[0]!.price?.amount).toBe(1000); // cached on a
    const notified = await nextCatalogNotification(a.db);
    await changeAndRebuild(a.db.db, [product.id], (tx) =>
      tx.updateTable('variant_price').set({ amount: 2500 }).where('variant_id', '=', product.variantIds[0]!).execute(),
    );
    await notified();
    // Our listener runs after the apps' listeners for the same notification: both caches are clear.
    expect((await detail(b)).variants[0]!.price?.amount).toBe(2500);
    expect((await listed(b)).variants[0]!.price?.amount).toBe(2500);
    expect((await listed(a)).variants[0]!.price?.amount).toBe(2500);
    expect((await countStatements(() => detail(b))).count).toBe(0); // cached again, fresh
  });

  it('refreshes availability on a stock change that flips it, and keeps the cache on one that does not', async () => {
    const variantId = product.variantIds[0]!;
    const stock = (available: number) =>
      withTransaction(a.db.db, (tx) =>
        applyVariantStock(tx, [{ variantId, available, allowBackorder: false, lowStockThreshold: 0 }]),
      );
    expect((await detail(b)).availability).toBe('in_stock');
    await stock(4); // still in stock: no document change, no notification
    expect((await countStatements(() => detail(b))).count).toBe(0);
    const notified = await nextCatalogNotification(a.db);
    await stock(0);
    await notified();
    expect((await detail(b)).availability).toBe('out_of_stock');
  });

  it('announces nothing for a rebuild whose transaction rolls back', async () => {
    const payloads: string[] = [];
    let marker!: () => void;
    const markerSeen = new Promise<void>((resolve) => {
      marker = resolve;
    });
    const stop = await a.db.listen(CATALOG_CHANGED_CHANNEL, (payload) => {
      payloads.push(payload);
      if (payload === 'marker') marker();
    });
    try {
      await expect(
        withTransaction(a.db.db, async (tx) => {
          await tx.updateTable('product').set({ title: 'Never seen' }).where('id', '=', product.id).execute();
          await rebuildProductDocuments(tx, [product.id]);
          throw new Error('rolled back');
        }),
      ).rejects.toThrow('rolled back');
      // Notifications arrive in commit order: once this one is here, a leaked one would be too.
      await sql`select pg_notify(${CATALOG_CHANGED_CHANNEL}, 'marker')`.execute(a.db.db);
      await Promise.race([
        markerSeen,
        new Promise((_, reject) => setTimeout(() => reject(new Error('no marker')), 5000)),
      ]);
      expect(payloads).toEqual(['marker']);
      expect((await detail(b)).title).toBe('Cached kettle');
    } finally {
      await stop();
    }
  });

  it("drops every node's keyless answers when the default channel moves, and tells CDNs to purge them", async () => {
    const url = `/v1/store/products/${product.handle}`;
    expect((await storeGet(b, url)).statusCode).toBe(200); // cached on b, from sc_default
    const { token } = await staffSession(owner);
    const moved = await nextCatalogNotification(a.db);
    const created = await owner.app.inject({
      method: 'POST',
      url: '/v1/admin/sales-channels',
      headers: auth(token),
      payload: { name: 'Elsewhere', isDefault: true },
    });
    expect(created.statusCode, created.body).toBe(201);
    await moved();
    // The new default does not sell the kettle: no cached answer from the old default survives.
    expect((await storeGet(b, url)).statusCode).toBe(404);
    const [event] = await owner.db.db
      .selectFrom('outbox_event')
      .select('payload')
      .where('type', '=', 'catalog.storefront_changed')
      .orderBy('id', 'desc')
      .limit(1)
      .execute();
    const payload = (typeof event?.payload === 'string' ? JSON.parse(event.payload) : event?.payload) as {
      keys: string[];
    };
    expect(payload.keys).toEqual(expect.arrayContaining(['products', `product:${product.id}`]));

    const back = await nextCatalogNotification(a.db);
    const restored = await owner.app.inject({
      method: 'PATCH',
      url: '/v1/admin/sales-channels/sc_default',
      headers: auth(token),
      payload: { isDefault: true },
    });
    expect(restored.statusCode, restored.body).toBe(200);
    await back();
    expect((await storeGet(b, url)).statusCode).toBe(200);
  });
});
