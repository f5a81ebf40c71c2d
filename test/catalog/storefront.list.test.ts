import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.js';
import { type CreatedProduct, createCategory, createCollection, createProducts } from './catalog.fixtures.js';
import { allPages, countStatements, list, storeGet, titles } from './storefront.support.js';

let t: TestApp;
let p: Record<string, CreatedProduct>;
let clothing: { id: string; handle: string };
let knitwear: { id: string; handle: string };
let winter: { id: string; handle: string };
const day = (n: number) => new Date(Date.UTC(2026, 0, n));

beforeAll(async () => {
  t = await createTestApp();
  clothing = await createCategory(t.db.db, 'Clothing');
  knitwear = await createCategory(t.db.db, 'Knitwear', clothing.id);
  const made = await createProducts(t.db.db, [
    {
      title: 'Alpha scarf',
      tags: ['wool'],
      createdAt: day(1),
      categoryIds: [knitwear.id],
      variants: [{ prices: { EUR: 3000, USD: 3300 } }],
    },
    {
      title: 'Bravo hat',
      tags: ['wool', 'sale'],
      createdAt: day(2),
      categoryIds: [clothing.id],
      variants: [{ prices: { EUR: 1500 } }, { prices: { EUR: 900 } }],
    },
    {
      title: 'Charlie mug',
      createdAt: day(3),
      variants: [{ prices: { EUR: 800, USD: 900 }, stock: { available: 0 } }],
    },
    {
      title: 'Delta socks',
      tags: ['sale'],
      createdAt: day(4),
      categoryIds: [knitwear.id],
      variants: [{ prices: { USD: 1200 }, stock: { available: 2, lowStockThreshold: 5 } }],
    },
    { title: 'Echo poster', createdAt: day(5), variants: [{ prices: { EUR: 2000 } }] },
    { title: 'Draft lamp', status: 'draft', createdAt: day(6) },
    { title: 'Archived lamp', status: 'archived', createdAt: day(7) },
    { title: 'Hidden lamp', channels: [], createdAt: day(8) },
  ]);
  p = Object.fromEntries(made.map((c, i) => [['a', 'b', 'c', 'd', 'e', 'draft', 'arch', 'hidden'][i]!, c]));
  winter = await createCollection(t.db.db, 'Winter', [p.d!.id, p.a!.id, p.b!.id]);
});
afterAll(async () => {
  await t?.close();
});

describe('GET /v1/store/products', () => {
  it('lists only active products published to the default channel, newest first, in one statement', async () => {
    const { result, count, sql } = await countStatements(() => list(t, ''));
    expect(result.data.map((x) => x.title)).toEqual([
      'Echo poster',
      'Delta socks',
      'Charlie mug',
      'Bravo hat',
      'Alpha scarf',
    ]);
    expect(result.total).toBe(5);
    expect(result.nextCursor).toBeNull();
    expect(count, sql.join('\n')).toBe(1);
  });

  it('shows prices in the requested currency, null where a variant has none, and availability', async () => {
    const res = await list(t, 'currency=USD&sort=title');
    const byTitle = Object.fromEntries(res.data.map((x) => [x.title, x]));
    expect(byTitle['Alpha scarf']).toMatchObject({
      currency: 'USD',
      priceRange: { min: { amount: 3300, currency: 'USD' } },
    });
    expect(byTitle['Bravo hat']!.variants.map((v) => v.price)).toEqual([null, null]);
    expect(byTitle['Bravo hat']!.priceRange).toBeNull();
    expect(byTitle['Charlie mug']).toMatchObject({
      availability: 'out_of_stock',
      variants: [{ availability: 'out_of_stock' }],
    });
    expect(byTitle['Delta socks']).toMatchObject({
      availability: 'low_stock',
      variants: [{ availability: 'low_stock' }],
    });
    expect(byTitle['Echo poster']!.variants[0]).not.toHaveProperty('available'); // counts are off by default
  });

  it('defaults each product to its only currency, or the first by code', async () => {
    const res = await list(t, 'sort=title');
    expect(res.data.map((x) => [x.title, x.currency])).toEqual([
      ['Alpha scarf', 'EUR'],
      ['Bravo hat', 'EUR'],
      ['Charlie mug', 'EUR'],
      ['Delta socks', 'USD'],
      ['Echo poster', 'EUR'],
    ]);
    expect(res.data[1]!.priceRange).toEqual({
      min: { amount: 900, currency: 'EUR' },
      max: { amount: 1500, currency: 'EUR' },
    });
  });

  it('filters by category id or handle, including sub-categories', async () => {
    expect(await titles(t, `category=${clothing.handle}&sort=title`)).toEqual([
      'Alpha scarf',
      'Bravo hat',
      'Delta socks',
    ]);
    expect(await titles(t, `category=${knitwear.id}&sort=title`)).toEqual(['Alpha scarf', 'Delta socks']);
    expect(await titles(t, 'category=no-such-category')).toEqual([]);
  });

  it("filters by collection (id or handle) in the collection's order by default", async () => {
    expect(await titles(t, `collection=${winter.handle}`)).toEqual(['Delta socks', 'Alpha scarf', 'Bravo hat']);
    expect(await titles(t, `collection=${winter.id}&sort=title`)).toEqual(['Alpha scarf', 'Bravo hat', 'Delta socks']);
    expect(await allPages(t, `collection=${winter.id}`, 2, 'cursor')).toEqual([p.d!.id, p.a!.id, p.b!.id]);
  });

  it('filters by tag, stock and price range (the "from" price, in the currency)', async () => {
    expect(await titles(t, 'tag=sale&sort=title')).toEqual(['Bravo hat', 'Delta socks']);
    expect(await titles(t, 'inStock=true&sort=title')).toEqual([
      'Alpha scarf',
      'Bravo hat',
      'Delta socks',
      'Echo poster',
    ]);
    expect(await titles(t, 'currency=EUR&minPrice=900&maxPrice=2000&sort=price_asc')).toEqual([
      'Bravo hat',
      'Echo poster',
    ]);
    expect(await titles(t, 'currency=USD&maxPrice=1000')).toEqual(['Charlie mug']);
  });

  it('sorts by price both ways (products without a price in the currency last) and by title', async () => {
    expect(await titles(t, 'currency=EUR&sort=price_asc')).toEqual([
      'Charlie mug',
      'Bravo hat',
      'Echo poster',
      'Alpha scarf',
      'Delta socks',
    ]);
    expect(await titles(t, 'currency=EUR&sort=price_desc')).toEqual([
      'Alpha scarf',
      'Echo poster',
      'Bravo hat',
      'Charlie mug',
      'Delta socks',
    ]);
    expect(await titles(t, 'sort=title')).toEqual([
      'Alpha scarf',
      'Bravo hat',
      'Charlie mug',
      'Delta socks',
      'Echo poster',
    ]);
  });

  it('pages by cursor and by offset, returning every product exactly once, for each sort', async () => {
    const everything = (await list(t, 'limit=100')).data.map((x) => x.id).sort();
    for (const sort of ['newest', 'title', 'price_asc', 'price_desc']) {
      for (const mode of ['cursor', 'offset'] as const) {
        for (const limit of [1, 2, 3]) {
          const ids = await allPages(t, `sort=${sort}&currency=EUR`, limit, mode);
          expect([...ids].sort(), `${sort} ${mode} ${limit}`).toEqual(everything);
        }
      }
    }
    const page = await list(t, 'limit=2&offset=4');
    expect(page).toMatchObject({ total: 5, nextCursor: null });
    expect(page.data).toHaveLength(1);
    expect(await list(t, 'offset=50')).toMatchObject({ data: [], total: 5, nextCursor: null });
  });

  it('scopes to the channel of the publishable key', async () => {
    const { staffSession, auth } = await import('../identity/staff.helpers.js');
    const owner = (await staffSession(t)).token;
    const channel = await t.app.inject({
      method: 'POST',
      url: '/v1/admin/sales-channels',
      headers: auth(owner),
      payload: { name: 'Kiosk' },
    });
    const channelId = channel.json<{ id: string }>().id;
    const key = await t.app.inject({
      method: 'POST',
      url: '/v1/admin/api-keys',
      headers: auth(owner),
      payload: { name: 'kiosk', kind: 'publishable', salesChannelId: channelId },
    });
    expect(key.statusCode).toBe(201);
    const headers = { 'x-publishable-key': key.json<{ key: string }>().key };
    expect(await titles(t, '', headers)).toEqual([]);
    const [only] = await createProducts(t.db.db, [{ title: 'Kiosk only', channels: [channelId] }]);
    // A query not asked before the write: the same one may be cached until the change notification lands.
    const { result, count } = await countStatements(() => list(t, 'limit=19', headers));
    expect(result.data.map((x) => x.id)).toEqual([only!.id]);
    expect(count).toBe(2); // the key lookup (identity) + the list
    expect(await titles(t, 'sort=title')).not.toContain('Kiosk only');
    expect((await storeGet(t, `/v1/store/products/${only!.handle}`)).statusCode).toBe(404);
    expect((await storeGet(t, `/v1/store/products/${only!.handle}`, headers)).statusCode).toBe(200);
    expect((await storeGet(t, '/v1/store/products', { 'x-publishable-key': 'pk_nope' })).statusCode).toBe(401);
  });
});

describe('GET /v1/store/products: bad input', () => {
  it.each([
    ['limit=0', '/query/limit'],
    ['limit=101', '/query/limit'],
    ['limit=abc', '/query/limit'],
    ['offset=-1', '/query/offset'],
    ['sort=cheapest', '/query/sort'],
    ['currency=eur', '/query/currency'],
    ['currency=XYZ', '/query/currency'],
    ['minPrice=-5&currency=EUR', '/query/minPrice'],
    ['minPrice=100', '/query/currency'],
    ['sort=price_asc', '/query/currency'],
    ['currency=EUR&minPrice=10&maxPrice=5', '/query/minPrice'],
    ['sort=relevance', '/query/sort'],
    ['cursor=garbage', '/query/cursor'],
    ['cursor=abc&offset=2', '/query/cursor'],
    ['inStock=maybe', '/query/inStock'],
    ['colour=red', '/query/colour'],
  ])('%s → 400 naming %s', async (query, path) => {
    const res = await storeGet(t, `/v1/store/products?${query}`);
    expect(res.statusCode).toBe(400);
    expect(res.json<{ errors: { path: string }[] }>().errors.map((e) => e.path)).toContain(path);
  });

  it('refuses a cursor made for another sort', async () => {
    const first = await list(t, 'limit=1&sort=title');
    const res = await storeGet(t, `/v1/store/products?limit=1&sort=newest&cursor=${first.nextCursor}`);
    expect(res.statusCode).toBe(400);
  });
});
