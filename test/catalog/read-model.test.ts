import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyVariantStock, rebuildProductDocuments } from '../../src/modules/catalog/read-model.js';
import { newStatementScope, runWithStatementScope } from '../../src/platform/db/query-stats.js';
import { withTransaction } from '../../src/platform/db/transaction.js';
import { createTestDb, type TestDb, usingPostgres } from '../support/db.js';
import { changeAndRebuild, createCategory, createCollection, createProducts } from './catalog.fixtures.js';

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
});
afterAll(async () => {
  await t?.destroy();
});

const docs = (productId: string) =>
  t.db.selectFrom('product_document').selectAll().where('product_id', '=', productId).execute();
const prices = (productId: string) =>
  t.db
    .selectFrom('product_document_price')
    .select(['currency', 'min_amount', 'max_amount'])
    .where('product_id', '=', productId)
    .orderBy('currency')
    .execute();
const words = async (list: string[]) =>
  (await t.db.selectFrom('catalog_word').select('word').where('word', 'in', list).execute()).map((r) => r.word).sort();

describe('product documents', () => {
  it('builds one document per published channel with variants, prices, ancestors, collections and words', async () => {
    const top = await createCategory(t.db, 'Clothing');
    const sub = await createCategory(t.db, 'Knitwear', top.id);
    const [p] = await createProducts(t.db, [
      {
        title: 'Wool T-Shirt',
        tags: ['Merino'],
        categoryIds: [sub.id],
        options: [{ name: 'Size', values: ['S', 'M'] }],
        variants: [
          { options: { Size: 'S' }, prices: { EUR: 2500, USD: 2700 }, stock: { available: 3, lowStockThreshold: 5 } },
          { options: { Size: 'M' }, prices: { EUR: 3000 } },
        ],
      },
    ]);
    const col = await createCollection(t.db, 'Winter', [p!.id]);
    const [doc] = await docs(p!.id);
    expect(doc).toMatchObject({ sales_channel_id: 'sc_default', stock_status: 'in_stock' });
    expect(doc!.category_ids.sort()).toEqual([top.id, sub.id].sort());
    expect(doc!.collection_positions).toEqual({ [col.id]: 0 });
    expect(doc!.availability).toEqual({ [p!.variantIds[0]!]: 'low_stock', [p!.variantIds[1]!]: 'in_stock' });
    expect(doc!.doc.variants.map((v) => v.prices)).toEqual([
      { EUR: [2500, null], USD: [2700, null] },
      { EUR: [3000, null] },
    ]);
    expect(doc!.doc.categories).toEqual([{ id: sub.id, handle: sub.handle, name: 'Knitwear' }]);
    expect(await prices(p!.id)).toEqual([
      { currency: 'EUR', min_amount: 2500, max_amount: 3000 },
      { currency: 'USD', min_amount: 2700, max_amount: 2700 },
    ]);
    expect(doc!.words.sort()).toEqual(['merino', 'shirt', 'tshirt', 'wool']);
    expect(await words(['merino', 'shirt', 'tshirt', 'wool'])).toEqual(['merino', 'shirt', 'tshirt', 'wool']);
  });

  it('removes the documents, prices and now-unused words of drafted or unpublished products', async () => {
    const [a, b] = await createProducts(t.db, [
      { title: 'Quokkaberry jam', channels: ['sc_default'] },
      { title: 'Quokkaberry tea' },
    ]);
    await changeAndRebuild(t.db, [a!.id], (tx) =>
      tx.updateTable('product').set({ status: 'draft' }).where('id', '=', a!.id).execute(),
    );
    expect(await docs(a!.id)).toEqual([]);
    expect(await prices(a!.id)).toEqual([]);
    expect(await words(['jam', 'quokkaberry', 'tea'])).toEqual(['quokkaberry', 'tea']);
    await changeAndRebuild(t.db, [b!.id], (tx) =>
      tx.deleteFrom('product_channel').where('product_id', '=', b!.id).execute(),
    );
    expect(await docs(b!.id)).toEqual([]);
    expect(await words(['quokkaberry', 'tea'])).toEqual([]);
  });

  it('rebuilds 1,000 products in two statements (and one purge event)', async ({ annotate }) => {
    const specs = Array.from({ length: 1000 }, (_, i) => ({
      title: `Bulk item ${i}`,
      tags: [`tag${i % 10}`],
      description: 'A sturdy thing for every day',
      variants: [{ prices: { EUR: 100 + i } }, { prices: { EUR: 200 + i } }],
    }));
    const created = await createProducts(t.db, specs);
    const scope = newStatementScope();
    const started = performance.now();
    await runWithStatementScope(scope, () =>
      withTransaction(t.db, (tx) =>
        rebuildProductDocuments(
          tx,
          created.map((c) => c.id),
        ),
      ),
    );
    const ms = performance.now() - started;
    await annotate(`rebuild of 1,000 products: ${ms.toFixed(0)} ms`);
    expect(scope.count).toBe(5); // BEGIN, lock, rebuild, the CDN purge event (one for all), COMMIT
  });
});

describe('applyVariantStock', () => {
  it('stores the stock, updates availability in one statement, and writes only documents that change', async () => {
    const [p] = await createProducts(t.db, [
      {
        title: 'Stocked lamp',
        variants: [{ stock: { available: 10, lowStockThreshold: 2 } }, { stock: { available: 0 } }],
      },
    ]);
    const [v1, v2] = p!.variantIds as [string, string];
    const apply = async (rows: Parameters<typeof applyVariantStock>[1]) => {
      const scope = newStatementScope();
      await runWithStatementScope(scope, () => withTransaction(t.db, (tx) => applyVariantStock(tx, rows)));
      return scope.count;
    };
    const xmin = async () =>
      (await sql<{ x: string }>`select xmin::text as x from product_document where product_id = ${p!.id}`.execute(t.db))
        .rows[0]!.x;
    const before = await xmin();
    expect(await apply([{ variantId: v1, available: 9, allowBackorder: false, lowStockThreshold: 2 }])).toBe(3);
    expect(await xmin()).toBe(before); // still in stock: the document was not rewritten
    const stored = await t.db.selectFrom('variant_stock').selectAll().where('variant_id', '=', v1).executeTakeFirst();
    expect(stored).toMatchObject({ available: 9 });

    await apply([{ variantId: v1, available: 0, allowBackorder: false, lowStockThreshold: 2 }]);
    expect(await docs(p!.id)).toMatchObject([
      { stock_status: 'out_of_stock', availability: { [v1]: 'out_of_stock', [v2]: 'out_of_stock' } },
    ]);
    await apply([{ variantId: v2, available: 0, allowBackorder: true, lowStockThreshold: 0 }]);
    expect(await docs(p!.id)).toMatchObject([{ stock_status: 'low_stock', availability: { [v2]: 'low_stock' } }]);
    await apply([{ variantId: v1, available: null, allowBackorder: false, lowStockThreshold: 0 }]);
    expect(await docs(p!.id)).toMatchObject([{ stock_status: 'in_stock', availability: { [v1]: 'in_stock' } }]);
  });
});

describe('concurrent stock changes', () => {
  it.skipIf(!usingPostgres)(
    'merge into the locked document: two variants going out of stock at once leave the product out of stock',
    async () => {
      const [p] = await createProducts(t.db, [
        { title: 'Race lamp', variants: [{ stock: { available: 1 } }, { stock: { available: 1 } }] },
      ]);
      const [v1, v2] = p!.variantIds as [string, string];
      const out = (variantId: string) => ({ variantId, available: 0, allowBackorder: false, lowStockThreshold: 0 });
      let release!: () => void;
      const gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      let applied!: () => void;
      const firstApplied = new Promise<void>((resolve) => {
        applied = resolve;
      });
      const first = withTransaction(t.db, async (tx) => {
        await applyVariantStock(tx, [out(v1)]);
        applied();
        await gate; // hold the document's row lock until the second transaction waits for it
      });
      await firstApplied;
      const second = withTransaction(t.db, (tx) => applyVariantStock(tx, [out(v2)]));
      // Bounded wait until the second transaction is blocked on the row lock.
      let blocked = false;
      for (let i = 0; i < 200; i++) {
        const waiting = await sql<{ n: number }>`
          select count(*)::int as n from pg_stat_activity
          where datname = current_database() and wait_event_type = 'Lock'`.execute(t.db);
        blocked = waiting.rows[0]!.n > 0;
        if (blocked) break;
        await new Promise((r) => setTimeout(r, 10));
      }
      release();
      await Promise.all([first, second]);
      expect(blocked).toBe(true);
      expect(await docs(p!.id)).toMatchObject([
        { stock_status: 'out_of_stock', availability: { [v1]: 'out_of_stock', [v2]: 'out_of_stock' } },
      ]);
    },
  );
});
