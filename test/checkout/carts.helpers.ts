import { randomBytes } from 'node:crypto';
import { createProduct } from '../../src/modules/catalog/index.js';
import { adjustStock } from '../../src/modules/inventory/index.js';
import { systemActor } from '../../src/platform/audit/audit.js';
import { wireModules } from '../../src/wiring.js';
import { bearer, signUp } from '../identity/customers.helpers.js';
import type { TestApp } from '../support/app.js';
import { category, ownerClient, stockLocation, unique } from './checkout.helpers.js';

export { bearer, signUp };

export interface Money {
  amount: number;
  currency: string;
}
export interface CartLine {
  id: string;
  variantId: string;
  productId: string | null;
  quantity: number;
  available: boolean;
  unitPrice: Money;
  subtotal: Money;
  discount: Money;
  tax: Money;
  total: Money;
}
export interface Cart {
  id: string;
  status: string;
  customerId: string | null;
  currency: string;
  region: { id: string; name: string; taxInclusive: boolean } | null;
  email: string | null;
  lines: CartLine[];
  shippingMethod: { optionId: string; name: string; amount: Money } | null;
  promoCodes: string[];
  totals: {
    subtotal: Money;
    discountTotal: Money;
    shippingTotal: Money;
    taxTotal: Money;
    total: Money;
    taxLines: { rate: number; base: Money; tax: Money }[];
  };
  stock: { heldUntil: string; expired: boolean } | null;
}

export const address = {
  firstName: 'Ada',
  lastName: 'Lovelace',
  line1: 'Unter den Linden 1',
  city: 'Berlin',
  postalCode: '10117',
  countryCode: 'DE',
};

/** A storefront client: anonymous, or signed in with a customer token. */
export function store(t: TestApp, token?: string) {
  return (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: Record<string, unknown>) =>
    t.app.inject({ method, url, headers: token ? bearer(token) : {}, ...(payload ? { payload } : {}) });
}

export interface Shop {
  regionId: string;
  usRegionId: string;
  locationId: string;
  booksId: string;
  flatId: string;
  heavyOnlyId: string;
}

/**
 * A shop: region DE (EUR, prices with tax, 19% VAT, books 7%), region US (USD, without tax, no rate), a stock
 * location, a flat 4.90 shipping option and a weight-band option that only ships carts up to 1 kg.
 */
export async function seedShop(t: TestApp): Promise<Shop> {
  const call = await ownerClient(t);
  const ok = async (res: Awaited<ReturnType<typeof call>>) => {
    if (res.statusCode >= 300) throw new Error(`${res.statusCode} ${res.body}`);
    return res.json<{ id: string }>().id;
  };
  const locationId = await stockLocation(call);
  const booksId = await category(call);
  const regionId = await ok(
    await call('POST', '/v1/admin/regions', {
      name: unique('DE'),
      currency: 'EUR',
      countries: ['DE', 'AT'],
      taxInclusive: true,
    }),
  );
  const usRegionId = await ok(
    await call('POST', '/v1/admin/regions', { name: unique('US'), currency: 'USD', countries: ['US'] }),
  );
  await ok(
    await call('POST', '/v1/admin/tax-rates', {
      countryCode: 'DE',
      name: 'VAT',
      rate: 19000,
      overrides: [{ categoryId: booksId, rate: 7000 }],
    }),
  );
  const option = (name: string, price: Record<string, unknown>) =>
    call('POST', `/v1/admin/regions/${regionId}/shipping-options`, { name, stockLocationId: locationId, price });
  const flatId = await ok(await option('Standard', { kind: 'flat', amount: 490 }));
  const heavyOnlyId = await ok(
    await option('Letter', { kind: 'weight_bands', bands: [{ maxGrams: 1000, amount: 150 }] }),
  );
  return { regionId, usRegionId, locationId, booksId, flatId, heavyOnlyId };
}

/** An active product with one variant, published to the default channel unless told otherwise. */
export async function product(
  t: TestApp,
  opts: {
    prices?: { currency: string; amount: number }[];
    categoryIds?: string[];
    weightGrams?: number;
    status?: 'active' | 'draft';
    salesChannelIds?: string[];
  } = {},
) {
  const n = randomBytes(4).toString('hex');
  const p = await createProduct(wireModules(t.db.db).catalog, systemActor, {
    title: `Cart thing ${n}`,
    handle: `cart-thing-${n}`,
    status: opts.status ?? 'active',
    categoryIds: opts.categoryIds ?? [],
    salesChannelIds: opts.salesChannelIds ?? ['sc_default'],
    variants: [
      {
        sku: `CT-${n}`,
        prices: opts.prices ?? [{ currency: 'EUR', amount: 1999 }],
        ...(opts.weightGrams !== undefined ? { weightGrams: opts.weightGrams } : {}),
      },
    ],
  });
  const v = p.variants[0];
  if (!v) throw new Error('no variant');
  return { productId: p.id, variantId: v.id };
}

/** Receives `quantity` units of the variant at the location. */
export async function stock(t: TestApp, variantId: string, locationId: string, quantity: number) {
  const item = await t.db.db
    .selectFrom('inventory_item')
    .select('id')
    .where('variant_id', '=', variantId)
    .executeTakeFirstOrThrow();
  await adjustStock(wireModules(t.db.db).inventory, systemActor, item.id, {
    locationId,
    delta: quantity,
    reason: 'received',
  });
  return item.id;
}

/** The variant's stock counters summed over all locations. */
export async function variantLevel(t: TestApp, variantId: string) {
  const row = await t.db.db
    .selectFrom('inventory_level as l')
    .innerJoin('inventory_item as i', 'i.id', 'l.item_id')
    .select((eb) => [
      eb.fn.sum<number>('l.on_hand').as('onHand'),
      eb.fn.sum<number>('l.reserved').as('reserved'),
      eb.fn.sum<number>('l.held').as('held'),
    ])
    .where('i.variant_id', '=', variantId)
    .executeTakeFirstOrThrow();
  return { onHand: Number(row.onHand), reserved: Number(row.reserved), held: Number(row.held) };
}

/** Held units of the variant (all locations). */
export async function heldUnits(t: TestApp, variantId: string): Promise<number> {
  const row = await t.db.db
    .selectFrom('stock_hold')
    .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('quantity'), eb.lit(0)).as('n'))
    .where('variant_id', '=', variantId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Creates a cart and returns it (expects 201). */
export async function newCart(t: TestApp, body: Record<string, unknown> = {}, token?: string): Promise<Cart> {
  const res = await store(t, token)('POST', '/v1/store/carts', body);
  if (res.statusCode !== 201) throw new Error(`cart: ${res.statusCode} ${res.body}`);
  return res.json<Cart>();
}
