import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  capturePayment,
  paymentTotals,
  refundPayment,
  verifyPaymentLedger,
  voidPayment,
} from '../../src/modules/payments/index.js';
import { createTestDb, type TestDb } from '../support/db.js';
import { authorized, harness, type PaymentsHarness } from './payments.helpers.js';

let t: TestDb;
let h: PaymentsHarness;
beforeAll(async () => {
  t = await createTestDb();
  h = harness(t.db);
});
afterAll(() => t.destroy());

const request = fc.oneof(
  fc.record({ op: fc.constant('capture' as const), amount: fc.integer({ min: 1, max: 4000 }) }),
  fc.record({ op: fc.constant('refund' as const), amount: fc.integer({ min: 1, max: 4000 }) }),
  fc.record({ op: fc.constant('void' as const), amount: fc.constant(0) }),
);

describe('payment ledger properties', () => {
  it('for any sequence of capture/refund/void requests the totals obey the rules and equal the ledger', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 10_000 }),
        fc.array(request, { minLength: 1, maxLength: 8 }),
        async (authorizedAmount, requests) => {
          const p = await authorized(h, authorizedAmount, 'manual');
          // A model of what must happen, checked against what did.
          let captured = 0;
          let refunded = 0;
          let voided = false;
          for (const r of requests) {
            const amount = { amount: r.amount, currency: 'EUR' };
            const allowed =
              r.op === 'capture'
                ? !voided && captured + r.amount <= authorizedAmount
                : r.op === 'refund'
                  ? refunded + r.amount <= captured
                  : !voided && captured === 0;
            const call =
              r.op === 'capture'
                ? capturePayment(h.deps, { paymentId: p.id, amount })
                : r.op === 'refund'
                  ? refundPayment(h.deps, { paymentId: p.id, amount })
                  : voidPayment(h.deps, { paymentId: p.id });
            const ok = await call.then(
              () => true,
              (e: { code?: string }) => {
                expect(['PAYMENT_AMOUNT_EXCEEDED', 'PAYMENT_STATE']).toContain(e.code);
                return false;
              },
            );
            expect(ok).toBe(allowed);
            if (ok && r.op === 'capture') captured += r.amount;
            if (ok && r.op === 'refund') refunded += r.amount;
            if (ok && r.op === 'void') voided = true;
          }
          const totals = await paymentTotals(t.db, p.id);
          expect(totals).toMatchObject({ captured, refunded, net: captured - refunded });
          expect(totals.net).toBeGreaterThanOrEqual(0);
          expect(totals.captured).toBeLessThanOrEqual(authorizedAmount);
          expect(totals.voided).toBe(voided ? authorizedAmount : 0);
        },
      ),
      { numRuns: 25 },
    );
    expect(await verifyPaymentLedger(t.db)).toEqual([]);
  });
});
