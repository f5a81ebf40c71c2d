import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { staffSession } from '../identity/staff.helpers.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { adminApi, auditActions, type Product, tshirt, uniq } from './products.admin.helpers.js';

let t: TestApp;
let token: string;
const api = adminApi(
  () => t,
  () => token,
);

beforeAll(async () => {
  t = await createTestApp();
  token = (await staffSession(t, 'role_catalog_manager')).token;
});
afterAll(async () => {
  await t?.close();
});

async function created(extra: Record<string, unknown> = {}): Promise<Product> {
  const res = await api.create(tshirt(extra));
  expect(res.statusCode, res.body).toBe(201);
  return res.json<Product>();
}

describe('creating products', () => {
  it('creates a product with options, variants and prices in one call, version 1, audited, with an event', async () => {
    const input = tshirt({ salesChannelIds: ['sc_default'], status: 'active' });
    const res = await api.create(input);
    expect(res.statusCode).toBe(201);
    const p = res.json<Product>();
    expect(res.headers.location).toBe(`/v1/admin/products/${p.id}`);
    expect(res.headers.etag).toBe('"1"');
    expect(p).toMatchObject({ handle: input.handle, status: 'active', version: 1, salesChannelIds: ['sc_default'] });
    expect(p.options.map((o) => o.name)).toEqual(['Size', 'Colour']);
    expect(p.variants.map((v) => v.title)).toEqual(['S / Red', 'M / Blue']);
    expect(p.variants[1]?.prices).toEqual([
      { price: { amount: 2199, currency: 'EUR' }, compareAtPrice: { amount: 2999, currency: 'EUR' } },
      { price: { amount: 2399, currency: 'USD' }, compareAtPrice: null },
    ]);
    expect(await auditActions(t, p.id)).toEqual(['product.created']);
    const events = await t.db.db.selectFrom('outbox_event').select('type').where('aggregate_id', '=', p.id).execute();
    // Published and active, it is on the storefront at once: the CDN purge event comes with it.
    expect(events.map((e) => e.type).sort()).toEqual(['catalog.storefront_changed', 'product.created']);
  });

  it('derives a handle from the title when none is given', async () => {
    const res = await api.create({ title: 'Café Crème Mug!' });
    expect(res.statusCode).toBe(201);
    expect(res.json<Product>().handle).toMatch(/^cafe-creme-mug-[a-z0-9]{6}$/);
  });

  it('reads it back with GET and an ETag', async () => {
    const p = await created();
    const res = await api.get(p.id);
    expect(res.statusCode).toBe(200);
    expect(res.headers.etag).toBe('"1"');
    expect(res.json()).toEqual(p);
  });
});

describe('updating with If-Match', () => {
  it('updates fields and memberships, bumps the version and audits the change', async () => {
    const p = await created();
    const res = await api.patch(p.id, 1, {
      title: 'Organic Tee',
      status: 'active',
      tags: ['cotton'],
      salesChannelIds: ['sc_default'],
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json<Product>()).toMatchObject({
      title: 'Organic Tee',
      status: 'active',
      version: 2,
      tags: ['cotton'],
      salesChannelIds: ['sc_default'],
    });
    expect(res.headers.etag).toBe('"2"');
    expect(await auditActions(t, p.id)).toEqual(['product.created', 'product.updated']);
  });

  it('archives a product by status', async () => {
    const p = await created({ status: 'active' });
    expect((await api.patch(p.id, 1, { status: 'archived' })).json<Product>().status).toBe('archived');
  });

  it('adds, updates and deletes variants, each bumping the product version', async () => {
    const p = await created();
    const sku = uniq('TS-L');
    const added = await api.addVariant(p.id, 1, {
      sku,
      options: { Size: 'L', Colour: 'Red' },
      prices: [{ currency: 'EUR', amount: 2499 }],
    });
    expect(added.statusCode, added.body).toBe(201);
    const v2 = added.json<Product>();
    expect(v2.version).toBe(2);
    const newVariant = v2.variants.find((v) => v.sku === sku);
    expect(newVariant?.title).toBe('L / Red');
    const patched = await api.patchVariant(p.id, newVariant?.id ?? '', 2, {
      prices: [{ currency: 'GBP', amount: 1999 }],
      title: 'Large red',
    });
    expect(patched.statusCode, patched.body).toBe(200);
    expect(patched.json<Product>().variants.find((v) => v.sku === sku)).toMatchObject({
      title: 'Large red',
      prices: [{ price: { amount: 1999, currency: 'GBP' }, compareAtPrice: null }],
    });
    const removed = await api.removeVariant(p.id, newVariant?.id ?? '', 3);
    expect(removed.statusCode).toBe(200);
    expect(removed.json<Product>()).toMatchObject({ version: 4 });
    expect(removed.json<Product>().variants.map((v) => v.sku)).not.toContain(sku);
  });

  it('deletes a never-ordered product', async () => {
    const p = await created();
    expect((await api.remove(p.id, 1)).statusCode).toBe(204);
    expect((await api.get(p.id)).statusCode).toBe(404);
    expect(await auditActions(t, p.id)).toEqual(['product.created', 'product.deleted']);
  });
});

describe('bulk prices', () => {
  it('sets prices by variant id or SKU in one call and bumps each product version once', async () => {
    const a = await created();
    const b = await created();
    const res = await api.bulkPrices([
      { variantId: a.variants[0]?.id, currency: 'EUR', amount: 1500 },
      { sku: a.variants[1]?.sku, currency: 'USD', amount: 1700, compareAtAmount: 2000 },
      { sku: b.variants[0]?.sku, currency: 'CHF', amount: 2100 },
    ]);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ updated: 3, productIds: [a.id, b.id].sort() });
    const after = (await api.get(a.id)).json<Product>();
    expect(after.version).toBe(2);
    expect(after.variants[0]?.prices).toEqual([{ price: { amount: 1500, currency: 'EUR' }, compareAtPrice: null }]);
    expect(after.variants[1]?.prices.find((x) => x.price.currency === 'USD')).toEqual({
      price: { amount: 1700, currency: 'USD' },
      compareAtPrice: { amount: 2000, currency: 'USD' },
    });
    expect(await auditActions(t, b.id)).toEqual(['product.created', 'product.prices_updated']);
  });
});

describe('admin search', () => {
  it('finds products by SKU prefix, barcode, title substring and a title with a typo', async () => {
    const p = await created({ title: `Merino Sweater ${uniq('x')}` });
    const sku = p.variants[0]?.sku ?? '';
    const barcode = p.variants[1]?.barcode ?? '';
    for (const q of [sku, sku.slice(0, -4), barcode, 'Merino Sweat', 'Merino Sweatr']) {
      const res = await api.list(`?q=${encodeURIComponent(q)}&limit=100`);
      expect(res.statusCode).toBe(200);
      expect(
        res.json<{ data: { id: string }[] }>().data.map((x) => x.id),
        q,
      ).toContain(p.id);
    }
  });

  it('pages newest first with a cursor and filters by status', async () => {
    const ids = [(await created({ status: 'archived' })).id, (await created({ status: 'archived' })).id];
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await api.list(`?status=archived&limit=1${cursor ? `&cursor=${cursor}` : ''}`);
      const page = res.json<{ data: { id: string; status: string }[]; nextCursor: string | null }>();
      for (const row of page.data) expect(row.status).toBe('archived');
      seen.push(...page.data.map((r) => r.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(expect.arrayContaining(ids));
    expect(seen.indexOf(ids[1] ?? '')).toBeLessThan(seen.indexOf(ids[0] ?? ''));
  });

  it('filters by category, collection and sales channel, each alone and together', async () => {
    const send = (method: 'POST', url: string, payload: object) =>
      t.app.inject({ method, url, payload, headers: { authorization: `Bearer ${token}` } });
    const cat = (await send('POST', '/v1/admin/categories', { name: uniq('Filter cat') })).json<{ id: string }>();
    const inCat = await created({ categoryIds: [cat.id], salesChannelIds: ['sc_default'] });
    const inCatOnly = await created({ categoryIds: [cat.id], salesChannelIds: [] });
    const elsewhere = await created({ salesChannelIds: ['sc_default'] });
    const col = (
      await send('POST', '/v1/admin/collections', {
        title: 'Filter',
        handle: uniq('filter'),
        productIds: [inCatOnly.id],
      })
    ).json<{ id: string }>();
    const ids = async (query: string) =>
      (await api.list(`?limit=100&${query}`)).json<{ data: { id: string }[] }>().data.map((r) => r.id);

    expect((await ids(`categoryId=${cat.id}`)).sort()).toEqual([inCat.id, inCatOnly.id].sort());
    expect(await ids(`collectionId=${col.id}`)).toEqual([inCatOnly.id]);
    const channel = await ids('salesChannelId=sc_default');
    expect(channel).toEqual(expect.arrayContaining([inCat.id, elsewhere.id]));
    expect(channel).not.toContain(inCatOnly.id);
    expect(await ids(`categoryId=${cat.id}&salesChannelId=sc_default`)).toEqual([inCat.id]);
    const bad = await api.list('?categoryId=');
    expect(bad.statusCode).toBe(400);
    expect(bad.json<{ errors: { path: string }[] }>().errors.map((e) => e.path)).toContain('/query/categoryId');
  });
});
