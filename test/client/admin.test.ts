import { type BackroomClient, BackroomError, createBackroomClient } from '@backroom/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ListeningApp, listenWithDemoShop, secretKey } from './client.support.js';

/** A merchant's server with a secret key: a new product, its stock, an order for it, capture and refund. */
let s: ListeningApp;
let admin: BackroomClient;
let shop: BackroomClient;
beforeAll(async () => {
  s = await listenWithDemoShop();
  const key = await secretKey(s.t, [
    'catalog:read',
    'catalog:write',
    'inventory:read',
    'inventory:adjust',
    'orders:read',
    'orders:write',
    'orders:refund',
  ]);
  admin = createBackroomClient({ baseUrl: s.baseUrl, secretKey: key });
  shop = createBackroomClient({ baseUrl: s.baseUrl });
});
afterAll(async () => {
  await s?.close();
});

async function guestOrder(variantId: string, quantity: number) {
  const { data: cart } = await shop.POST('/v1/store/carts', { body: { countryCode: 'DE' } });
  const path = { id: cart.id };
  await shop.POST('/v1/store/carts/{id}/lines', { params: { path }, body: { variantId, quantity } });
  await shop.PATCH('/v1/store/carts/{id}', {
    params: { path },
    body: {
      email: 'grace@example.com',
      shippingAddress: {
        firstName: 'Grace',
        lastName: 'Hopper',
        line1: 'Friedrichstraße 10',
        city: 'Berlin',
        postalCode: '10117',
        countryCode: 'DE',
      },
    },
  });
  const { data: options } = await shop.GET('/v1/store/carts/{id}/shipping-options', { params: { path } });
  await shop.POST('/v1/store/carts/{id}/shipping-method', {
    params: { path },
    body: { optionId: options.data[0]!.id },
  });
  await shop.POST('/v1/store/carts/{id}/payment', { params: { path }, body: { provider: 'manual' } });
  const { data } = await shop.POST('/v1/store/carts/{id}/complete', { params: { path } });
  return data.order;
}

describe('@backroom/client with a secret key', () => {
  it('creates a product, stocks it, and captures and refunds an order for it', async () => {
    const { data: product, response } = await admin.POST('/v1/admin/products', {
      body: {
        title: 'Linen Shirt',
        status: 'active',
        salesChannelIds: ['sc_default'],
        options: [{ name: 'Size', values: ['S', 'M'] }],
        variants: [
          { sku: 'LIN-S', options: { Size: 'S' }, prices: [{ currency: 'EUR', amount: 5900 }] },
          { sku: 'LIN-M', options: { Size: 'M' }, prices: [{ currency: 'EUR', amount: 5900 }] },
        ],
      },
    });
    expect(response.status).toBe(201);
    // Updates carry the version read (If-Match): any header passes through.
    const { data: renamed } = await admin.PATCH('/v1/admin/products/{id}', {
      params: { path: { id: product.id } },
      headers: { 'if-match': `"${product.version}"` },
      body: { subtitle: 'Breathable, for summer' },
    });
    expect(renamed.version).toBe(product.version + 1);

    const { data: items } = await admin.GET('/v1/admin/inventory/items', { params: { query: { sku: 'LIN-S' } } });
    const { data: locations } = await admin.GET('/v1/admin/inventory/locations');
    const item = items.data[0]!;
    const { data: stocked } = await admin.POST('/v1/admin/inventory/items/{id}/adjustments', {
      params: { path: { id: item.id } },
      body: { locationId: locations.data[0]!.id, delta: 5, reason: 'received' },
    });
    expect(stocked.available).toBe(5);

    const variant = product.variants.find((v) => v.sku === 'LIN-S')!;
    const order = await guestOrder(variant.id, 2);
    expect(order.status).toBe('placed');

    const { data: found } = await admin.GET('/v1/admin/orders', { params: { query: { q: `#${order.number}` } } });
    expect(found.data.map((o) => o.id)).toEqual([order.id]);
    const { data: captured } = await admin.POST('/v1/admin/orders/{id}/capture', {
      params: { path: { id: order.id } },
    });
    expect(captured.paymentStatus).toBe('paid');
    const { data: refund } = await admin.POST('/v1/admin/orders/{id}/refunds', {
      params: { path: { id: order.id } },
      body: { amount: { amount: 500, currency: 'EUR' }, reason: 'Late delivery' },
    });
    expect(refund).toMatchObject({ amount: { amount: 500, currency: 'EUR' }, paymentStatus: 'partially_refunded' });
  });

  it('a refund above what was paid is raised with its code, and nothing is refunded', async () => {
    const { data: product } = await shop.GET('/v1/store/products/{idOrHandle}', {
      params: { path: { idOrHandle: 'organic-cotton-t-shirt' } },
    });
    const order = await guestOrder(product.variants[0]!.id, 1);
    await admin.POST('/v1/admin/orders/{id}/capture', { params: { path: { id: order.id } } });
    const error = await admin
      .POST('/v1/admin/orders/{id}/refunds', {
        params: { path: { id: order.id } },
        body: { amount: { amount: order.total.amount + 1, currency: 'EUR' } },
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackroomError);
    expect(error).toMatchObject({ status: 422, code: 'REFUND_AMOUNT_EXCEEDED' });
    const { data: after } = await admin.GET('/v1/admin/orders/{id}', { params: { path: { id: order.id } } });
    expect(after.paymentStatus).toBe('paid');
  });

  it('a key without the permission gets 403 as BackroomError', async () => {
    const reader = createBackroomClient({ baseUrl: s.baseUrl, secretKey: await secretKey(s.t, ['orders:read']) });
    await expect(reader.POST('/v1/admin/products', { body: { title: 'Not allowed' } })).rejects.toMatchObject({
      status: 403,
      code: 'PERMISSION_DENIED',
    });
  });
});
