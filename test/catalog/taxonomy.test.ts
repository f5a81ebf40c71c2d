import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auth, customRole, staffSession } from '../identity/staff.helpers.js';
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

interface Category {
  id: string;
  parentId: string | null;
  handle: string;
  path: string[];
  productCount: number;
}
interface Collection {
  id: string;
  handle: string;
  productIds: string[];
}

const send = (method: 'POST' | 'PATCH' | 'DELETE' | 'GET', url: string, payload?: Record<string, unknown>) =>
  t.app.inject({ method, url, headers: auth(token), ...(payload ? { payload } : {}) });
const category = async (name: string, parentId?: string) => {
  const res = await send('POST', '/v1/admin/categories', {
    name,
    handle: uniq('cat'),
    ...(parentId ? { parentId } : {}),
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json<Category>();
};
const categories = async () => (await send('GET', '/v1/admin/categories')).json<{ data: Category[] }>().data;
const product = async (extra: Record<string, unknown> = {}) => (await api.create(tshirt(extra))).json<Product>();

describe('categories', () => {
  it('builds a tree: children list their ancestors, parents come first, counts include products', async () => {
    const clothing = await category('Clothing');
    const tops = await category('Tops', clothing.id);
    const tees = await category('T-Shirts', tops.id);
    expect(tees.path).toEqual([clothing.id, tops.id]);
    await product({ categoryIds: [tees.id] });
    const all = await categories();
    const order = all.map((c) => c.id);
    expect(order.indexOf(clothing.id)).toBeLessThan(order.indexOf(tops.id));
    expect(order.indexOf(tops.id)).toBeLessThan(order.indexOf(tees.id));
    expect(all.find((c) => c.id === tees.id)?.productCount).toBe(1);
    expect(await auditActions(t, tees.id)).toEqual(['category.created']);
  });

  it('moves a subtree, and refuses a move under itself or a descendant (409 CATEGORY_CYCLE)', async () => {
    const a = await category('A');
    const b = await category('B', a.id);
    const c = await category('C', b.id);
    for (const parentId of [a.id, c.id]) {
      const res = await send('PATCH', `/v1/admin/categories/${a.id}`, { parentId });
      expect(res.statusCode).toBe(409);
      expect(res.json()).toMatchObject({ code: 'CATEGORY_CYCLE', errors: [{ path: '/body/parentId' }] });
    }
    const other = await category('Other');
    const moved = await send('PATCH', `/v1/admin/categories/${b.id}`, { parentId: other.id });
    expect(moved.statusCode).toBe(200);
    expect((await categories()).find((x) => x.id === c.id)?.path).toEqual([other.id, b.id]);
  });

  it('refuses a taken handle (409), an unknown parent (404 naming parentId), deleting a parent (409)', async () => {
    const a = await category('Shoes');
    const dup = await send('POST', '/v1/admin/categories', { name: 'Shoes again', handle: a.handle });
    expect(dup.json()).toMatchObject({ code: 'HANDLE_TAKEN' });
    const orphan = await send('POST', '/v1/admin/categories', { name: 'Lost', parentId: 'cat_nope' });
    expect(orphan.statusCode).toBe(404);
    expect(orphan.json().errors[0].path).toBe('/body/parentId');
    await category('Boots', a.id);
    expect((await send('DELETE', `/v1/admin/categories/${a.id}`)).json()).toMatchObject({
      code: 'CATEGORY_HAS_CHILDREN',
    });
  });

  it('deletes a leaf; its products lose the membership', async () => {
    const leaf = await category('Leaf');
    const p = await product({ categoryIds: [leaf.id] });
    expect((await send('DELETE', `/v1/admin/categories/${leaf.id}`)).statusCode).toBe(204);
    expect((await api.get(p.id)).json<Product>().categoryIds).toEqual([]);
  });
});

describe('collections', () => {
  it('creates an ordered collection, reorders it, and products show their collections', async () => {
    const [a, b, c] = [await product(), await product(), await product()];
    if (!a || !b || !c) throw new Error('fixture');
    const res = await send('POST', '/v1/admin/collections', {
      title: 'Summer',
      handle: uniq('summer'),
      productIds: [b.id, a.id],
    });
    expect(res.statusCode, res.body).toBe(201);
    const col = res.json<Collection>();
    expect(col.productIds).toEqual([b.id, a.id]);
    const reordered = await send('PATCH', `/v1/admin/collections/${col.id}`, { productIds: [c.id, a.id, b.id] });
    expect(reordered.json<Collection>().productIds).toEqual([c.id, a.id, b.id]);
    expect((await api.get(c.id)).json<Product>().collectionIds).toEqual([col.id]);
    expect(await auditActions(t, col.id)).toEqual(['collection.created', 'collection.updated']);
    expect((await send('DELETE', `/v1/admin/collections/${col.id}`)).statusCode).toBe(204);
    expect((await api.get(c.id)).json<Product>().collectionIds).toEqual([]);
  });

  it('refuses unknown products (404, nothing changes), a taken handle (409) and unknown ids (404)', async () => {
    const p = await product();
    const col = (
      await send('POST', '/v1/admin/collections', { title: 'Picks', handle: uniq('picks'), productIds: [p.id] })
    ).json<Collection>();
    const bad = await send('PATCH', `/v1/admin/collections/${col.id}`, { productIds: [p.id, 'prod_nope'] });
    expect(bad.statusCode).toBe(404);
    expect(bad.json().errors[0].path).toBe('/body/productIds');
    expect((await send('GET', `/v1/admin/collections/${col.id}`)).json<Collection>().productIds).toEqual([p.id]);
    expect((await send('POST', '/v1/admin/collections', { title: 'Dup', handle: col.handle })).json()).toMatchObject({
      code: 'HANDLE_TAKEN',
    });
    expect((await send('PATCH', '/v1/admin/collections/col_nope', { title: 'x' })).statusCode).toBe(404);
  });

  it('needs catalog:write to change and catalog:read to read', async () => {
    const reader = (await staffSession(t, await customRole(t, ['catalog:read']))).token;
    const read = await t.app.inject({ method: 'GET', url: '/v1/admin/collections', headers: auth(reader) });
    expect(read.statusCode).toBe(200);
    const write = await t.app.inject({
      method: 'POST',
      url: '/v1/admin/categories',
      headers: auth(reader),
      payload: { name: 'x' },
    });
    expect(write.statusCode).toBe(403);
  });
});
