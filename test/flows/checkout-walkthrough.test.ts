import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey, systemActor } from '../../src/modules/identity/index.js';
import { seed } from '../../src/seed.js';
import { createTestApp, type TestApp } from '../support/app.js';

/** The README's "A full checkout with curl", step by step, against the demo shop `npm start` seeds. */
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
  await seed(t.db.db);
});
afterAll(async () => {
  await t?.close();
});

type Method = 'GET' | 'POST' | 'PATCH';
const call = async (method: Method, url: string, payload?: unknown, token?: string) => {
  const res = await t.app.inject({
    method,
    url,
    ...(payload ? { payload: payload as Record<string, unknown> } : {}),
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  expect(res.statusCode, `${method} ${url}: ${res.body}`).toBeLessThan(300);
  // biome-ignore lint/suspicious/noExplicitAny: a walkthrough reads the JSON like jq does
  return res.json<any>();
};

describe('README checkout walkthrough', () => {
  it('a guest buys two T-shirts with WELCOME10; staff capture, fulfil and ship', async () => {
    const product = await call('GET', '/v1/store/products/organic-cotton-t-shirt?currency=EUR');
    const variantId = product.variants[0].id;
    const cart = await call('POST', '/v1/store/carts', { countryCode: 'DE' });
    const withLine = await call('POST', `/v1/store/carts/${cart.id}/lines`, { variantId, quantity: 2 });
    expect(withLine.totals.subtotal.currency).toBe('EUR');
    await call('PATCH', `/v1/store/carts/${cart.id}`, {
      email: 'ada@example.com',
      shippingAddress: {
        firstName: 'Ada',
        lastName: 'Lovelace',
        line1: 'Unter den Linden 1',
        city: 'Berlin',
        postalCode: '10117',
        countryCode: 'DE',
      },
    });
    const options = await call('GET', `/v1/store/carts/${cart.id}/shipping-options`);
    await call('POST', `/v1/store/carts/${cart.id}/shipping-method`, { optionId: options.data[0].id });
    const discounted = await call('POST', `/v1/store/carts/${cart.id}/promo-codes`, { code: 'WELCOME10' });
    expect(discounted.totals.discountTotal.amount).toBeGreaterThan(0);
    await call('POST', `/v1/store/carts/${cart.id}/payment`, { provider: 'manual' });
    const placed = await call('POST', `/v1/store/carts/${cart.id}/complete`);
    expect(placed.order).toMatchObject({ status: 'placed', total: discounted.totals.total });
    const again = await call('POST', `/v1/store/carts/${cart.id}/complete`);
    expect(again).toEqual(placed);
    const number = placed.order.number;
    const found = await call('POST', '/v1/store/orders/lookup', { number, email: 'ada@example.com' });
    expect(found.id).toBe(placed.order.id);

    // `backroom keys create --name ops --permissions orders:read,orders:write,orders:fulfil`
    const { key: token } = await createApiKey(
      t.db.db,
      { ctx: systemActor, createdBy: null },
      { name: 'ops', kind: 'secret', permissions: ['orders:read', 'orders:write', 'orders:fulfil'] },
    );
    const list = await call('GET', `/v1/admin/orders?q=%23${number}`, undefined, token);
    const orderId = list.data[0].id;
    const paid = await call('POST', `/v1/admin/orders/${orderId}/capture`, undefined, token);
    expect(paid.paymentStatus).toBe('paid');
    const lineId = paid.lines[0].id;
    const parcel = await call(
      'POST',
      `/v1/admin/orders/${orderId}/fulfillments`,
      { lines: [{ lineId, quantity: 2 }] },
      token,
    );
    await call(
      'POST',
      `/v1/admin/orders/${orderId}/fulfillments/${parcel.id}/ship`,
      { carrier: 'DHL', trackingNumber: '00340434161094042557' },
      token,
    );
    const order = await call('GET', `/v1/admin/orders/${orderId}`, undefined, token);
    expect(order).toMatchObject({ status: 'placed', paymentStatus: 'paid', fulfillmentStatus: 'shipped' });
    expect(order.timeline.map((e: { kind: string }) => e.kind)).toEqual([
      'order.created',
      'status.changed',
      'payment_status.changed',
      'payment_status.changed',
      'payment.captured',
      'fulfillment.created',
      'fulfillment_status.changed',
      'fulfillment.shipped',
      'fulfillment_status.changed',
    ]);
  });
});
