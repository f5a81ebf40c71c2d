import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  applyProviderEvent,
  capturePayment,
  type ProviderEvent,
  paymentTotals,
  refundPayment,
  verifyPaymentLedger,
} from '../../src/modules/payments/index.js';
import { createTestDb, type TestDb } from '../support/db.js';
import { authorized, eventTypes, expireLeases, harness, ledgerRows, type PaymentsHarness } from './payments.helpers.js';

/**
 * The provider-neutral mechanism behind Stripe's `refund.failed` / `charge.refund.updated` (and PayPal's refund
 * FAILED): a refund the gateway accepted and we counted comes back out of the ledger — a compensating row, never an
 * edit — once however often the news arrives.
 */

let t: TestDb;
let h: PaymentsHarness;
beforeAll(async () => {
  t = await createTestDb();
  h = harness(t.db);
});
afterAll(() => t.destroy());

const eur = (amount: number) => ({ amount, currency: 'EUR' });

async function refundRef(paymentId: string, key: string): Promise<string> {
  const row = await t.db
    .selectFrom('payment_transaction')
    .select('provider_reference')
    .where('payment_id', '=', paymentId)
    .where('idempotency_key', '=', key)
    .executeTakeFirstOrThrow();
  return row.provider_reference ?? '';
}

const failed = (paymentId: string, refundReference: string, amount: number, extra: Partial<ProviderEvent> = {}) =>
  ({
    eventId: `evt_${refundReference}_${Math.random()}`,
    type: 'refund_failed',
    providerType: 'refund.failed',
    paymentId,
    objectReference: refundReference,
    amount: eur(amount),
    refundFailure: { status: 'failed', reason: 'expired_or_canceled_card' },
    ...extra,
  }) satisfies ProviderEvent;

describe('a counted refund that the gateway later reports failed', () => {
  it('is taken back once: refunded total, status, ledger and outbox agree; redeliveries change nothing', async () => {
    const p = await authorized(h, 10_000);
    await capturePayment(h.deps, { paymentId: p.id, amount: eur(10_000) });
    await refundPayment(h.deps, { paymentId: p.id, amount: eur(3000) });
    expect((await refundPayment(h.deps, { paymentId: p.id, amount: eur(7000) })).status).toBe('refunded');
    const ref = await refundRef(p.id, `${p.id}:refund:2`);

    expect(await applyProviderEvent(h.deps, 'test', failed(p.id, ref, 7000))).toBe('applied');
    // The same news again (another event id, another event type of the same refund): nothing more moves.
    expect(await applyProviderEvent(h.deps, 'test', failed(p.id, ref, 7000))).toBe('duplicate');
    expect(
      await applyProviderEvent(h.deps, 'test', failed(p.id, ref, 7000, { providerType: 'charge.refund.updated' })),
    ).toBe('duplicate');

    const row = await t.db
      .selectFrom('payment')
      .select(['status', 'refunded'])
      .where('id', '=', p.id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ status: 'partially_refunded', refunded: 3000 });
    expect(await paymentTotals(t.db, p.id)).toMatchObject({ captured: 10_000, refunded: 3000, net: 7000 });
    const rows = await ledgerRows(t.db, p.id);
    // Append-only: the refund row stays, a compensating row follows it.
    expect(rows.map((r) => [r.kind, r.amount])).toEqual([
      ['authorization', 10_000],
      ['capture', 10_000],
      ['refund', 3000],
      ['refund', 7000],
      ['refund_reversal', 7000],
    ]);
    expect((await eventTypes(t.db, p.id)).filter((e) => e === 'payment.refund_failed')).toHaveLength(1);
    expect(await verifyPaymentLedger(t.db)).toEqual([]);

    // The money is refundable again.
    expect((await refundPayment(h.deps, { paymentId: p.id, amount: eur(7000) })).status).toBe('refunded');
    expect(await verifyPaymentLedger(t.db)).toEqual([]);
  });

  it('finishes our refund call still in flight as failed instead (it was never counted)', async () => {
    const p = await authorized(h, 5000);
    await capturePayment(h.deps, { paymentId: p.id, amount: eur(5000) });
    h.gateway.script('error');
    await expect(refundPayment(h.deps, { paymentId: p.id, amount: eur(2000) })).rejects.toMatchObject({ status: 502 });
    const key = `${p.id}:refund:1`;
    const event = failed(p.id, 're_lost_answer', 2000, { idempotencyKey: key });
    expect(await applyProviderEvent(h.deps, 'test', event)).toBe('applied');
    expect(await applyProviderEvent(h.deps, 'test', event)).toBe('duplicate');
    const row = await t.db
      .selectFrom('payment')
      .select(['status', 'refunded', 'pending_refund'])
      .where('id', '=', p.id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ status: 'captured', refunded: 0, pending_refund: 0 });
    const op = await t.db
      .selectFrom('payment_operation')
      .select('status')
      .where('idempotency_key', '=', key)
      .executeTakeFirstOrThrow();
    expect(op.status).toBe('failed');
    expect((await ledgerRows(t.db, p.id)).map((r) => [r.kind, r.status])).toEqual([
      ['authorization', 'succeeded'],
      ['capture', 'succeeded'],
      ['refund', 'failed'],
    ]);
    await expireLeases(t.db);
    expect(await verifyPaymentLedger(t.db)).toEqual([]);
  });

  it('waits (retry) for a refund the ledger has not counted yet, and changes nothing meanwhile', async () => {
    const p = await authorized(h, 4000);
    await capturePayment(h.deps, { paymentId: p.id, amount: eur(4000) });
    const before = await ledgerRows(t.db, p.id);
    expect(await applyProviderEvent(h.deps, 'test', failed(p.id, 're_not_seen', 1000))).toBe('retry');
    expect(await ledgerRows(t.db, p.id)).toEqual(before);
    expect(await paymentTotals(t.db, p.id)).toMatchObject({ captured: 4000, refunded: 0 });
    expect(await eventTypes(t.db, p.id)).not.toContain('payment.refund_failed');
  });
});
