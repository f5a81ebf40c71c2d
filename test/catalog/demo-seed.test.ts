import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seed, seedProducts } from '../../src/seed.js';
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
});
