import { syncOrderPaymentStatus } from '../../src/modules/orders/index.js';
import { capturePayment } from '../../src/modules/payments/index.js';
import { systemActor } from '../../src/platform/audit/audit.js';
import { withTransaction } from '../../src/platform/db/transaction.js';
import { wireModules } from '../../src/wiring.js';
import { complete, readyCart } from '../checkout/completion.helpers.js';
import { signUp } from '../identity/customers.helpers.js';
import type { TestApp } from '../support/app.js';

export interface PlacedOrder {
  orderId: string;
  number: number;
  email: string;
  customerToken?: string;
  locationId: string;
  paymentId: string;
  lines: { id: string; variantId: string; quantity: number }[];
  total: number;
}

/**
 * A real checkout through the storefront routes with the manual provider: the order is `placed`, its payment
 * `authorized` and its stock reserved at `locationId`. `customer: true` signs a customer up and checks out as them;
 * `capture: true` captures the whole amount (order payment status `paid`).
 */
export async function placeOrder(
  t: TestApp,
  opts: { quantities?: number[]; customer?: boolean; capture?: boolean } = {},
): Promise<PlacedOrder> {
  const customer = opts.customer ? await signUp(t) : undefined;
  const token = customer?.token;
  const ready = await readyCart(t, {
    quantities: opts.quantities ?? [2, 1],
    ...(token ? { token } : {}),
    ...(customer ? { email: customer.email } : {}),
  });
  const res = await complete(t, ready.cartId, token);
  if (res.statusCode !== 200) throw new Error(`complete: ${res.statusCode} ${res.body}`);
  const { order, payment } = res.json<{
    order: {
      id: string;
      number: number;
      total: { amount: number; currency: string };
      lines: { id: string; variantId: string; quantity: number }[];
    };
    payment: { id: string };
  }>();
  if (opts.capture) {
    const payments = wireModules(t.db.db).payments;
    await capturePayment(payments, { paymentId: payment.id, amount: order.total });
    await withTransaction(t.db.db, (tx) => syncOrderPaymentStatus(tx, systemActor, order.id));
  }
  return {
    orderId: order.id,
    number: order.number,
    email: ready.email,
    ...(token ? { customerToken: token } : {}),
    locationId: ready.shop.locationId,
    paymentId: payment.id,
    lines: order.lines.map((l) => ({ id: l.id, variantId: l.variantId, quantity: l.quantity })),
    total: order.total.amount,
  };
}
