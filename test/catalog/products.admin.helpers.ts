import { auth } from '../identity/staff.helpers.js';
import type { TestApp } from '../support/app.js';

let seq = 0;
/** A unique suffix so tests in one database never collide on handles or SKUs. */
export const uniq = (label: string) => `${label}-${Date.now().toString(36)}-${++seq}`;

export interface Product {
  id: string;
  handle: string;
  title: string;
  status: string;
  version: number;
  options: { id: string; name: string; values: string[] }[];
  variants: {
    id: string;
    sku: string;
    title: string;
    barcode: string | null;
    options: Record<string, string>;
    prices: {
      price: { amount: number; currency: string };
      compareAtPrice: { amount: number; currency: string } | null;
    }[];
  }[];
  categoryIds: string[];
  collectionIds: string[];
  salesChannelIds: string[];
}

/** A T-shirt in Size × Colour with two priced variants. */
export function tshirt(extra: Record<string, unknown> = {}) {
  const sku = uniq('TS');
  return {
    title: 'Organic T-Shirt',
    handle: uniq('organic-t-shirt'),
    description: 'Soft cotton.',
    tags: ['cotton', 'summer'],
    options: [
      { name: 'Size', values: ['S', 'M', 'L'] },
      { name: 'Colour', values: ['Red', 'Blue'] },
    ],
    variants: [
      { sku: `${sku}-S-RED`, options: { Size: 'S', Colour: 'Red' }, prices: [{ currency: 'EUR', amount: 1999 }] },
      {
        sku: `${sku}-M-BLUE`,
        barcode: uniq('400'),
        options: { Size: 'M', Colour: 'Blue' },
        prices: [
          { currency: 'EUR', amount: 2199, compareAtAmount: 2999 },
          { currency: 'USD', amount: 2399 },
        ],
      },
    ],
    ...extra,
  };
}

export function adminApi(app: () => TestApp, token: () => string) {
  const h = (version?: number) => ({
    ...auth(token()),
    ...(version === undefined ? {} : { 'if-match': `"${version}"` }),
  });
  return {
    create: (payload: Record<string, unknown>) =>
      app().app.inject({ method: 'POST', url: '/v1/admin/products', headers: h(), payload }),
    get: (id: string) => app().app.inject({ method: 'GET', url: `/v1/admin/products/${id}`, headers: h() }),
    list: (query = '') => app().app.inject({ method: 'GET', url: `/v1/admin/products${query}`, headers: h() }),
    patch: (id: string, version: number | undefined, payload: Record<string, unknown>) =>
      app().app.inject({ method: 'PATCH', url: `/v1/admin/products/${id}`, headers: h(version), payload }),
    remove: (id: string, version: number | undefined) =>
      app().app.inject({ method: 'DELETE', url: `/v1/admin/products/${id}`, headers: h(version) }),
    addVariant: (id: string, version: number, payload: Record<string, unknown>) =>
      app().app.inject({ method: 'POST', url: `/v1/admin/products/${id}/variants`, headers: h(version), payload }),
    patchVariant: (id: string, variantId: string, version: number, payload: Record<string, unknown>) =>
      app().app.inject({
        method: 'PATCH',
        url: `/v1/admin/products/${id}/variants/${variantId}`,
        headers: h(version),
        payload,
      }),
    removeVariant: (id: string, variantId: string, version: number) =>
      app().app.inject({
        method: 'DELETE',
        url: `/v1/admin/products/${id}/variants/${variantId}`,
        headers: h(version),
      }),
    bulkPrices: (prices: Record<string, unknown>[]) =>
      app().app.inject({ method: 'POST', url: '/v1/admin/prices/bulk', headers: h(), payload: { prices } }),
  };
}

export async function auditActions(t: TestApp, targetId: string): Promise<string[]> {
  const rows = await t.db.db
    .selectFrom('audit_log')
    .select('action')
    .where('target_id', '=', targetId)
    .orderBy('id')
    .execute();
  return rows.map((r) => r.action);
}
