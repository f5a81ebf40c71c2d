import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakePayPal } from '../../src/fake-gateways/paypal/index.js';
import { ownerClient } from '../checkout/checkout.helpers.js';
import {
  complete,
  type GatewayShop,
  paymentRow,
  paypalApprove,
  paypalShop,
  preparedCart,
} from './gateway-e2e.helpers.js';
import { ledger, paypalRecord } from './paypal-e2e.helpers.js';

/**
 * Staff repeating a partial capture or refund after a gateway timeout: the gateway did act, only its answer was
 * late. The repeat must repeat that call (same idempotency key), never start a second capture or refund of the
 * same amount — there was room for a second one, which is what made a double refund possible.
 */
describe('a partial capture or refund repeated after a gateway timeout', () => {
  let g: GatewayShop & { paypal: FakePayPal };
  beforeAll(async () => {
    g = await paypalShop();
  });
  afterAll(() => g.close());
  const eur = (amount: number) => ({ amount: { amount, currency: 'EUR' } });

  async function authorizedOrder() {
    const cart = await preparedCart(g);
    const orderRef = cart.clientData.orderId as string;
    await paypalApprove(g.paypal, orderRef);
    const orderId = (await complete(g.t, cart.cartId)).json().order.id as string;
    return { cart, orderRef, orderId, staff: await ownerClient(g.t) };
  }

  it('a partial capture: one capture at PayPal, one in the ledger', async () => {
    const { cart, orderRef, orderId, staff } = await authorizedOrder();
    g.paypal.faults.push({ match: /\/capture$/, kind: 'slow', delayMs: 5000 });
    const first = await staff('POST', `/v1/admin/orders/${orderId}/capture`, eur(1000));
    expect(first.statusCode).toBe(503);
    expect(paypalRecord(g.paypal, orderRef).captures).toHaveLength(1);
    const retry = await staff('POST', `/v1/admin/orders/${orderId}/capture`, eur(1000));
    expect(retry.statusCode, retry.body).toBeLessThan(300);
    expect(paypalRecord(g.paypal, orderRef).captures.map((c) => c.minor)).toEqual([1000]);
    expect(await paymentRow(g.t, cart.paymentId)).toMatchObject({ captured: 1000 });
    expect((await ledger(g.t, cart.paymentId)).filter((r) => r.kind === 'capture')).toHaveLength(1);
  });

  it('a partial refund: one refund at PayPal, the buyer refunded once', async () => {
    const { cart, orderRef, orderId, staff } = await authorizedOrder();
    expect((await staff('POST', `/v1/admin/orders/${orderId}/capture`, {})).statusCode).toBeLessThan(300);
    g.paypal.faults.push({ match: /\/refund$/, kind: 'slow', delayMs: 5000 });
    const first = await staff('POST', `/v1/admin/orders/${orderId}/refunds`, eur(1000));
    expect(first.statusCode).toBe(503);
    expect(paypalRecord(g.paypal, orderRef).refunded).toBe(1000);
    const retry = await staff('POST', `/v1/admin/orders/${orderId}/refunds`, eur(1000));
    expect(retry.statusCode, retry.body).toBe(201);
    expect(paypalRecord(g.paypal, orderRef).refunded).toBe(1000);
    expect(await paymentRow(g.t, cart.paymentId)).toMatchObject({ captured: cart.total, refunded: 1000 });
    expect((await ledger(g.t, cart.paymentId)).filter((r) => r.kind === 'refund')).toHaveLength(1);
    // A later, separate refund of the same amount is a new refund.
    const second = await staff('POST', `/v1/admin/orders/${orderId}/refunds`, eur(1000));
    expect(second.statusCode, second.body).toBe(201);
    expect(paypalRecord(g.paypal, orderRef).refunded).toBe(2000);
  });
});
