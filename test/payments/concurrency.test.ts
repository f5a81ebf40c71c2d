import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  capturePayment,
  paymentLedger,
  paymentTotals,
  refundPayment,
  verifyPaymentLedger,
} from '../../src/modules/payments/index.js';
import { createTestDb, type TestDb, usingPostgres } from '../support/db.js';
import { authorized, harness, type PaymentsHarness } from './payments.helpers.js';

/**
 * Real parallel commands on separate connections (PostgreSQL; the embedded database runs them one
 * at a time): captures never exceed the authorization, refunds never exceed the captures.
 */
let t: TestDb;
let h: PaymentsHarness;
beforeAll(async () => {
  t = await createTestDb({ poolMax: 20, lockTimeoutMs: 20_000 });
  h = harness(t.db, { providerTimeoutMs: 5000 });
});
afterAll(() => t.destroy());

const eur = (amount: number) => ({ amount, currency: 'EUR' });

describe('payments under concurrency', { timeout: 120_000 }, () => {
  it.runIf(usingPostgres)(
    '20 parallel captures of 1,000 and 20 refunds of 600 on 10,000 never exceed the amounts',
    async () => {
      const p = await authorized(h, 10_000);
      const outcomes = await Promise.allSettled([
        ...Array.from({ length: 20 }, () => capturePayment(h.deps, { paymentId: p.id, amount: eur(1000) })),
        ...Array.from({ length: 20 }, () => refundPayment(h.deps, { paymentId: p.id, amount: eur(600) })),
      ]);
      const captures = outcomes.slice(0, 20);
      const refunds = outcomes.slice(20);
      expect(captures.filter((o) => o.status === 'fulfilled')).toHaveLength(10);
      for (const o of [...captures, ...refunds]) {
        if (o.status === 'rejected') expect(o.reason).toMatchObject({ code: 'PAYMENT_AMOUNT_EXCEEDED' });
      }
      const totals = await paymentTotals(t.db, p.id);
      const okRefunds = refunds.filter((o) => o.status === 'fulfilled').length;
      expect(totals.captured).toBe(10_000);
      expect(totals.refunded).toBe(okRefunds * 600);
      expect(totals.refunded).toBeLessThanOrEqual(totals.captured);
      expect(totals.net).toBe(totals.captured - totals.refunded);
      const ledger = await paymentLedger(t.db, p.id);
      expect(ledger.filter((r) => r.kind === 'capture')).toHaveLength(10);
      expect(ledger.filter((r) => r.kind === 'refund')).toHaveLength(okRefunds);
      expect(new Set(ledger.map((r) => r.idempotencyKey)).size).toBe(ledger.length);
      expect(await verifyPaymentLedger(t.db)).toEqual([]);
      const pending = await t.db
        .selectFrom('payment')
        .select(['pending_capture', 'pending_refund'])
        .where('id', '=', p.id)
        .executeTakeFirstOrThrow();
      expect(pending).toEqual({ pending_capture: 0, pending_refund: 0 });
    },
  );

  it.runIf(usingPostgres)('parallel refunds after a full capture stop exactly at the captured amount', async () => {
    const p = await authorized(h, 5000, 'manual');
    await capturePayment(h.deps, { paymentId: p.id, amount: eur(5000) });
    const outcomes = await Promise.allSettled(
      Array.from({ length: 30 }, () => refundPayment(h.deps, { paymentId: p.id, amount: eur(700) })),
    );
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(7);
    expect(await paymentTotals(t.db, p.id)).toMatchObject({ captured: 5000, refunded: 4900, net: 100 });
    expect(await verifyPaymentLedger(t.db)).toEqual([]);
  });
});
