import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syncOrderPaymentStatus } from '../../src/modules/orders/index.js';
import {
  capturePayment,
  paymentTotalsForOrder,
  refundPayment,
  verifyPaymentLedger,
} from '../../src/modules/payments/index.js';
import { systemActor } from '../../src/platform/audit/audit.js';
import { withTransaction } from '../../src/platform/db/transaction.js';
import { wireModules } from '../../src/wiring.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { product, stock, store } from './carts.helpers.js';
import { ownerClient, stockLocation, unique } from './checkout.helpers.js';
import { complete } from './completion.helpers.js';

/**
 * The money invariant, end to end through the storefront routes: for random carts, promotions, tax rates and
 * conventions, the order's totals are exactly the sum of its allocated line amounts plus shipping, the payment asks
 * for exactly the order total, and after random captures and refunds, captured − refunded equals the ledger's sum
 * and the order's payment status is the one derived from it.
 */
let t: TestApp;
let call: Awaited<ReturnType<typeof ownerClient>>;
let shop: { regionId: string; taxRateId: string; locationId: string; optionId: string };
beforeAll(async () => {
  t = await createTestApp({ env: { RATE_LIMIT_MAX: '100000' } });
  call = await ownerClient(t);
  const id = async (res: Awaited<ReturnType<typeof call>>) => {
    if (res.statusCode >= 300) throw new Error(`${res.statusCode} ${res.body}`);
    return res.json<{ id: string }>().id;
  };
  const locationId = await stockLocation(call);
  const regionId = await id(
    await call('POST', '/v1/admin/regions', { name: unique('FR'), currency: 'EUR', countries: ['FR'] }),
  );
  const taxRateId = await id(
    await call('POST', '/v1/admin/tax-rates', { countryCode: 'FR', name: 'TVA', rate: 20000 }),
  );
  const optionId = await id(
    await call('POST', `/v1/admin/regions/${regionId}/shipping-options`, {
      name: 'Colissimo',
      stockLocationId: locationId,
      price: { kind: 'flat', amount: 590 },
    }),
  );
  shop = { regionId, taxRateId, locationId, optionId };
});
afterAll(async () => {
  await t?.close();
});

const scenario = fc.record({
  taxRate: fc.oneof(fc.constantFrom(0, 5500, 8875, 20000), fc.integer({ min: 0, max: 30000 })),
  taxInclusive: fc.boolean(),
  lines: fc.array(
    fc.record({ price: fc.integer({ min: 1, max: 500_000 }), quantity: fc.integer({ min: 1, max: 5 }) }),
    {
      minLength: 1,
      maxLength: 4,
    },
  ),
  promotion: fc.option(
    fc.oneof(
      fc.record({ kind: fc.constant('percentage' as const), value: fc.integer({ min: 1, max: 10000 }) }),
      fc.record({ kind: fc.constant('fixed' as const), value: fc.integer({ min: 1, max: 300_000 }) }),
    ),
  ),
  // Money operations after the order: fractions of what is left, in thousandths.
  captures: fc.array(fc.integer({ min: 1, max: 1000 }), { maxLength: 3 }),
  refunds: fc.array(fc.integer({ min: 1, max: 1000 }), { maxLength: 3 }),
});

type Money = { amount: number };
interface OrderView {
  id: string;
  subtotal: Money;
  discountTotal: Money;
  shippingTotal: Money;
  taxTotal: Money;
  total: Money;
  paymentStatus: string;
  lines: { subtotal: Money; discount: Money; tax: Money; total: Money; quantity: number; unitPrice: Money }[];
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

describe('money invariant (fast-check, end to end)', () => {
  it('order totals = Σ allocated lines + shipping; captured − refunded = ledger; status derived', {
    timeout: 300_000,
  }, async () => {
    const payments = wireModules(t.db.db).payments;
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        await call('PATCH', `/v1/admin/tax-rates/${shop.taxRateId}`, { rate: s.taxRate });
        await call('PATCH', `/v1/admin/regions/${shop.regionId}`, { taxInclusive: s.taxInclusive });
        const buyer = store(t);
        const cart = (await buyer('POST', '/v1/store/carts', { regionId: shop.regionId })).json<{ id: string }>();
        for (const l of s.lines) {
          const v = await product(t, { prices: [{ currency: 'EUR', amount: l.price }] });
          await stock(t, v.variantId, shop.locationId, l.quantity);
          await buyer('POST', `/v1/store/carts/${cart.id}/lines`, { variantId: v.variantId, quantity: l.quantity });
        }
        if (s.promotion) {
          const code = `P${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`.toUpperCase();
          const created = await call('POST', '/v1/admin/promotions', {
            name: 'random',
            code,
            ...s.promotion,
            ...(s.promotion.kind === 'fixed' ? { currency: 'EUR' } : {}),
          });
          expect(created.statusCode, created.body).toBe(201);
          await buyer('POST', `/v1/store/carts/${cart.id}/promo-codes`, { code });
        }
        await buyer('PATCH', `/v1/store/carts/${cart.id}`, {
          email: 'money@example.com',
          shippingAddress: {
            firstName: 'M',
            lastName: 'Oney',
            line1: '1 rue',
            city: 'Paris',
            postalCode: '75001',
            countryCode: 'FR',
          },
        });
        await buyer('POST', `/v1/store/carts/${cart.id}/shipping-method`, { optionId: shop.optionId });
        await buyer('POST', `/v1/store/carts/${cart.id}/payment`, { provider: 'manual' });
        const res = await complete(t, cart.id);
        expect(res.statusCode, res.body).toBe(200);
        const { order, payment } = res.json<{ order: OrderView; payment: { id: string } | null }>();

        // Totals are the sums of the allocated line amounts.
        expect(order.subtotal.amount).toBe(sum(order.lines.map((l) => l.subtotal.amount)));
        expect(order.discountTotal.amount).toBe(sum(order.lines.map((l) => l.discount.amount)));
        expect(order.total.amount).toBe(sum(order.lines.map((l) => l.total.amount)) + order.shippingTotal.amount);
        expect(order.taxTotal.amount).toBeGreaterThanOrEqual(sum(order.lines.map((l) => l.tax.amount)));
        for (const l of order.lines) {
          expect(l.subtotal.amount).toBe(l.unitPrice.amount * l.quantity);
          expect(l.discount.amount).toBeLessThanOrEqual(l.subtotal.amount);
          const net = l.subtotal.amount - l.discount.amount;
          expect(l.total.amount).toBe(s.taxInclusive ? net : net + l.tax.amount);
        }
        if (order.total.amount === 0) {
          expect(payment).toBeNull();
          return;
        }
        const paymentId = (payment as { id: string }).id;
        const row = await t.db.db
          .selectFrom('payment')
          .select('amount')
          .where('id', '=', paymentId)
          .executeTakeFirstOrThrow();
        expect(row.amount).toBe(order.total.amount);

        // Random captures, then refunds, each a fraction of what is still possible.
        for (const f of s.captures) {
          const p = await t.db.db
            .selectFrom('payment')
            .select(['authorized', 'captured'])
            .where('id', '=', paymentId)
            .executeTakeFirstOrThrow();
          const amount = Math.floor(((p.authorized - p.captured) * f) / 1000);
          if (amount > 0) await capturePayment(payments, { paymentId, amount: { amount, currency: 'EUR' } });
        }
        for (const f of s.refunds) {
          const p = await t.db.db
            .selectFrom('payment')
            .select(['captured', 'refunded'])
            .where('id', '=', paymentId)
            .executeTakeFirstOrThrow();
          const amount = Math.floor(((p.captured - p.refunded) * f) / 1000);
          if (amount > 0) await refundPayment(payments, { paymentId, amount: { amount, currency: 'EUR' } });
        }
        const p = await t.db.db
          .selectFrom('payment')
          .select(['authorized', 'captured', 'refunded', 'stage'])
          .where('id', '=', paymentId)
          .executeTakeFirstOrThrow();
        const ledger = await paymentTotalsForOrder(t.db.db, order.id);
        expect(ledger?.net).toBe(p.captured - p.refunded);
        expect(ledger?.captured).toBe(p.captured);
        expect(ledger?.refunded).toBe(p.refunded);
        expect(p.captured).toBeLessThanOrEqual(order.total.amount);
        expect(p.refunded).toBeLessThanOrEqual(p.captured);
        await withTransaction(t.db.db, (tx) => syncOrderPaymentStatus(tx, systemActor, order.id));
        const now = await t.db.db
          .selectFrom('order')
          .select('payment_status')
          .where('id', '=', order.id)
          .executeTakeFirstOrThrow();
        const expected =
          p.refunded > 0
            ? p.refunded >= p.captured
              ? 'refunded'
              : 'partially_refunded'
            : p.captured === 0
              ? 'authorized'
              : p.captured >= order.total.amount
                ? 'paid'
                : 'partially_paid';
        expect(now.payment_status).toBe(expected);
      }),
      { numRuns: 12 },
    );
    expect(await verifyPaymentLedger(t.db.db)).toEqual([]);
  });
});
