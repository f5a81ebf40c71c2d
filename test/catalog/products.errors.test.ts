import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auth, customRole, staffSession } from '../identity/staff.helpers.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { adminApi, type Product, tshirt, uniq } from './products.admin.helpers.js';

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

const count = async (table: 'product' | 'variant' | 'audit_log' | 'variant_price') =>
  Number(
    (
      await t.db.db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );
const snapshot = async () => [
  await count('product'),
  await count('variant'),
  await count('variant_price'),
  await count('audit_log'),
];

/** Runs `fn`, expects `status`/`code`, and proves nothing was written. */
async function refused(
  fn: () => Promise<{ statusCode: number; json: () => unknown }>,
  status: number,
  code: string,
  paths?: string[],
) {
  const before = await snapshot();
  const res = await fn();
  expect(res.statusCode).toBe(status);
  const body = res.json() as { code: string; errors?: { path: string }[] };
  expect(body.code).toBe(code);
  if (paths) expect(body.errors?.map((e) => e.path)).toEqual(expect.arrayContaining(paths));
  expect(await snapshot()).toEqual(before);
  return body;
}

async function created(extra: Record<string, unknown> = {}): Promise<Product> {
  const res = await api.create(tshirt(extra));
  expect(res.statusCode, res.body).toBe(201);
  return res.json<Product>();
}

describe('invalid products are refused with the field named, and nothing is written', () => {
  it('variant option values must match the product options', async () => {
    const bad = tshirt();
    bad.variants[0] = { sku: uniq('X'), options: { Size: 'XXL', Colour: 'Red' }, prices: [] };
    await refused(() => api.create(bad), 400, 'VALIDATION_FAILED', ['/body/variants/0/options/Size']);
    const missing = tshirt();
    missing.variants[0] = { sku: uniq('X'), options: { Size: 'S' } as never, prices: [] };
    await refused(() => api.create(missing), 400, 'VALIDATION_FAILED', ['/body/variants/0/options/Colour']);
  });

  it('SKUs, barcodes and option combinations must not repeat within the request', async () => {
    const dup = tshirt();
    const [first, second] = dup.variants;
    if (!first || !second) throw new Error('fixture');
    second.sku = first.sku;
    second.options = first.options;
    await refused(() => api.create(dup), 400, 'VALIDATION_FAILED', [
      '/body/variants/1/sku',
      '/body/variants/1/options',
    ]);
  });

  it('a product without options has at most one variant', async () => {
    await refused(
      () => api.create({ title: 'Mug', variants: [{ sku: uniq('M1') }, { sku: uniq('M2') }] }),
      400,
      'VALIDATION_FAILED',
      ['/body/variants'],
    );
  });

  it('prices need a known currency, listed once, and a compare-at price above the price', async () => {
    const p = tshirt();
    if (!p.variants[0]) throw new Error('fixture');
    p.variants[0].prices = [
      { currency: 'XYZ', amount: 100 },
      { currency: 'EUR', amount: 500, compareAtAmount: 400 } as never,
      { currency: 'EUR', amount: 600 },
    ];
    await refused(() => api.create(p), 400, 'VALIDATION_FAILED', [
      '/body/variants/0/prices/0/currency',
      '/body/variants/0/prices/1/compareAtAmount',
      '/body/variants/0/prices/2/currency',
    ]);
    await refused(() => api.create(tshirt({ handle: 'Not A Handle' })), 400, 'VALIDATION_FAILED', ['/body/handle']);
    await refused(() => api.create(tshirt({ colour: 'red' })), 400, 'VALIDATION_FAILED');
  });

  it('a taken handle, SKU or barcode → 409 naming it', async () => {
    const p = await created();
    await refused(() => api.create(tshirt({ handle: p.handle })), 409, 'HANDLE_TAKEN', ['/body/handle']);
    const skuClash = tshirt();
    if (!skuClash.variants[1]) throw new Error('fixture');
    skuClash.variants[1].sku = p.variants[0]?.sku ?? '';
    await refused(() => api.create(skuClash), 409, 'SKU_TAKEN', ['/body/variants/1/sku']);
    const barcodeClash = tshirt();
    if (!barcodeClash.variants[1]) throw new Error('fixture');
    barcodeClash.variants[1].barcode = p.variants[1]?.barcode ?? '';
    await refused(() => api.create(barcodeClash), 409, 'BARCODE_TAKEN', ['/body/variants/1/barcode']);
  });

  it('unknown categories or sales channels → 404 naming the field', async () => {
    await refused(() => api.create(tshirt({ categoryIds: ['cat_nope'] })), 404, 'NOT_FOUND', ['/body/categoryIds']);
    await refused(() => api.create(tshirt({ salesChannelIds: ['sc_nope'] })), 404, 'NOT_FOUND', [
      '/body/salesChannelIds',
    ]);
  });
});

describe('versions and If-Match', () => {
  it('a stale version → 412 with the current one; none → 428; garbage → 400; nothing changes', async () => {
    const p = await created();
    expect((await api.patch(p.id, 1, { title: 'First edit' })).statusCode).toBe(200);
    const stale = await refused(() => api.patch(p.id, 1, { title: 'Lost update' }), 412, 'VERSION_MISMATCH');
    expect(stale).toMatchObject({ currentVersion: 2 });
    await refused(() => api.patch(p.id, undefined, { title: 'No header' }), 428, 'PRECONDITION_REQUIRED');
    const garbage = await t.app.inject({
      method: 'PATCH',
      url: `/v1/admin/products/${p.id}`,
      headers: { ...auth(token), 'if-match': 'yesterday' },
      payload: { title: 'x' },
    });
    expect(garbage.statusCode).toBe(400);
    await refused(() => api.remove(p.id, 1), 412, 'VERSION_MISMATCH');
    await refused(
      () => api.addVariant(p.id, 1, { sku: uniq('late'), options: { Size: 'L', Colour: 'Red' } }),
      412,
      'VERSION_MISMATCH',
    );
    expect((await api.get(p.id)).json<Product>().title).toBe('First edit');
  });

  it('two concurrent edits of one version: exactly one wins, the other gets 412', async () => {
    const p = await created();
    const results = await Promise.all([
      api.patch(p.id, 1, { title: 'Edit A' }),
      api.patch(p.id, 1, { title: 'Edit B' }),
    ]);
    expect(results.map((r) => r.statusCode).sort()).toEqual([200, 412]);
    expect((await api.get(p.id)).json<Product>().version).toBe(2);
  });

  it('unknown products and variants → 404', async () => {
    expect((await api.get('prod_nope')).statusCode).toBe(404);
    expect((await api.patch('prod_nope', 1, { title: 'x' })).statusCode).toBe(404);
    const p = await created();
    expect((await api.patchVariant(p.id, 'var_nope', 1, { title: 'x' })).statusCode).toBe(404);
    // A variant of another product is not found under this one.
    const other = await created();
    expect((await api.removeVariant(p.id, other.variants[0]?.id ?? '', 1)).statusCode).toBe(404);
  });

  it('options cannot change in a way that orphans existing variants (409 OPTIONS_IN_USE)', async () => {
    const p = await created();
    await refused(
      () => api.patch(p.id, 1, { options: [{ name: 'Size', values: ['S', 'M', 'L'] }] }),
      409,
      'OPTIONS_IN_USE',
    );
    const widened = await api.patch(p.id, 1, {
      options: [
        { name: 'Size', values: ['S', 'M', 'L', 'XL'] },
        { name: 'Colour', values: ['Red', 'Blue', 'Green'] },
      ],
    });
    expect(widened.statusCode).toBe(200);
  });

  it('bulk prices: unknown variants or a repeated entry fail the whole request', async () => {
    const p = await created();
    const v = p.variants[0]?.id ?? '';
    await refused(
      () =>
        api.bulkPrices([
          { variantId: v, currency: 'EUR', amount: 1 },
          { sku: 'NO-SUCH-SKU', currency: 'EUR', amount: 1 },
        ]),
      404,
      'NOT_FOUND',
      ['/body/prices/1/sku'],
    );
    await refused(
      () =>
        api.bulkPrices([
          { variantId: v, currency: 'EUR', amount: 1 },
          { variantId: v, currency: 'EUR', amount: 2 },
        ]),
      400,
      'VALIDATION_FAILED',
      ['/body/prices/1'],
    );
    await refused(() => api.bulkPrices([{ currency: 'EUR', amount: 1 }]), 400, 'VALIDATION_FAILED', ['/body/prices/0']);
  });
});

describe('permissions', () => {
  it('catalog:read can read but not write; anonymous gets 401', async () => {
    const reader = (await staffSession(t, await customRole(t, ['catalog:read']))).token;
    const readApi = adminApi(
      () => t,
      () => reader,
    );
    const p = await created();
    expect((await readApi.get(p.id)).statusCode).toBe(200);
    await refused(() => readApi.create(tshirt()), 403, 'PERMISSION_DENIED');
    await refused(() => readApi.patch(p.id, 1, { title: 'x' }), 403, 'PERMISSION_DENIED');
    expect((await t.app.inject({ method: 'GET', url: `/v1/admin/products/${p.id}` })).statusCode).toBe(401);
  });
});
