import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  applyProviderEvent,
  attachOrder,
  authorizePayment,
  callProvider,
  initiatePayment,
  PaymentDeclinedError,
  PaymentProviderError,
  paymentTotals,
  paymentTotalsForOrder,
  reconcilePendingPayments,
  recordPaymentOutcome,
  startPayment,
} from '../../src/modules/payments/index.js';
import { withTransaction } from '../../src/platform/db/transaction.js';
import { createTestDb, type TestDb } from '../support/db.js';
import { authorized, eventTypes, harness, ledgerRows, type PaymentsHarness } from './payments.helpers.js';

let t: TestDb;
let h: PaymentsHarness;
beforeAll(async () => {
  t = await createTestDb();
  h = harness(t.db);
});
afterAll(() => t.destroy());

const start = (testOutcome: string, cartId = 'cart_a') =>
  withTransaction(t.db, (tx) =>
    startPayment(h.deps, tx, {
      cartId,
      provider: 'test',
      amount: { amount: 2500, currency: 'EUR' },
      metadata: { testOutcome },
    }),
  );
const record = (started: Awaited<ReturnType<typeof start>>, outcome: Awaited<ReturnType<typeof callProvider>>) =>
  withTransaction(t.db, (tx) =>
    recordPaymentOutcome(tx, { paymentId: started.paymentId, idempotencyKey: started.idempotencyKey, outcome }),
  );

describe('payment attempts (checkout phases 1–3)', () => {
  it('manual: authorized at checkout, one authorization in the ledger, payment.authorized written', async () => {
    const p = await authorized(h, 4200, 'manual');
    expect(p).toMatchObject({ status: 'authorized', authorized: 4200, captured: 0, providerReference: `man_${p.id}` });
    expect(await ledgerRows(t.db, p.id)).toEqual([
      { kind: 'authorization', status: 'succeeded', amount: 4200, idempotency_key: `${p.id}:initiate` },
    ]);
    expect(await eventTypes(t.db, p.id)).toEqual(['payment.authorized']);
    expect(await paymentTotals(t.db, p.id)).toEqual({
      currency: 'EUR',
      authorized: 4200,
      captured: 0,
      refunded: 0,
      voided: 0,
      net: 0,
    });
  });

  it('test gateway approve: the three phases authorize, and reporting the answer twice records it once', async () => {
    const started = await start('approve');
    const outcome = await callProvider(h.deps, started);
    expect(outcome.ok).toBe(true);
    const first = await record(started, outcome);
    const again = await record(started, outcome);
    expect(first.payment.status).toBe('authorized');
    expect(again.payment.status).toBe('authorized');
    expect(await ledgerRows(t.db, started.paymentId)).toHaveLength(1);
    expect(await eventTypes(t.db, started.paymentId)).toEqual(['payment.authorized']);
  });

  it('decline: 402 PAYMENT_DECLINED, status failed, a failed ledger row, payment.failed, nothing authorized', async () => {
    const started = await start('decline');
    const res = await record(started, await callProvider(h.deps, started));
    expect(res.error).toBeInstanceOf(PaymentDeclinedError);
    expect(res.error).toMatchObject({ status: 402, code: 'PAYMENT_DECLINED' });
    expect(res.payment).toMatchObject({ status: 'failed', authorized: 0, declineCode: 'card_declined' });
    expect(await ledgerRows(t.db, started.paymentId)).toEqual([
      expect.objectContaining({ kind: 'authorization', status: 'failed', amount: 2500 }),
    ]);
    expect(await eventTypes(t.db, started.paymentId)).toEqual(['payment.failed']);
    expect((await paymentTotals(t.db, started.paymentId)).authorized).toBe(0);
    await expect(
      initiatePayment(h.deps, {
        cartId: 'cart_b',
        provider: 'test',
        amount: { amount: 100, currency: 'EUR' },
        metadata: { testOutcome: 'decline' },
      }),
    ).rejects.toBeInstanceOf(PaymentDeclinedError);
  });

  it('gateway error: 502, nothing recorded, the payment stays pending; repeating phase 2 (same key) authorizes', async () => {
    const started = await start('error');
    const res = await record(started, await callProvider(h.deps, started));
    expect(res.error).toBeInstanceOf(PaymentProviderError);
    expect(res.error).toMatchObject({ status: 502, code: 'PAYMENT_PROVIDER_ERROR' });
    expect(res.payment.status).toBe('pending');
    expect(await ledgerRows(t.db, started.paymentId)).toEqual([]);
    expect(await eventTypes(t.db, started.paymentId)).toEqual([]);
  });

  it('timeout: 503 past the deadline, pending; the retry with the same key gets the answer the gateway kept', async () => {
    const started = await start('timeout');
    const res = await record(started, await callProvider(h.deps, started));
    expect(res.error).toMatchObject({ status: 503, code: 'PAYMENT_PROVIDER_TIMEOUT' });
    expect(res.payment.status).toBe('pending');
    const retry = await record(started, await callProvider(h.deps, started));
    expect(retry.error).toBeUndefined();
    expect(retry.payment.status).toBe('authorized');
    const keys = h.gateway.calls.filter((c) => c.idempotencyKey.startsWith(started.paymentId));
    expect(keys.map((c) => c.idempotencyKey)).toEqual([started.idempotencyKey, started.idempotencyKey]);
    expect(await ledgerRows(t.db, started.paymentId)).toHaveLength(1);
  });

  it('a checkout that crashed after phase 1 leaves a pending attempt the reconciler authorizes (same key)', async () => {
    const started = await start('approve', 'cart_crash');
    expect((await reconcilePendingPayments(h.deps, { olderThanSeconds: 60 })).claimed).toBe(0);
    await sql`update payment set updated_at = now() - interval '1 hour' where id = ${started.paymentId}`.execute(t.db);
    const report = await reconcilePendingPayments(h.deps, { olderThanSeconds: 60 });
    expect(report.claimed).toBeGreaterThanOrEqual(1);
    expect((await ledgerRows(t.db, started.paymentId)).map((r) => r.idempotency_key)).toEqual([started.idempotencyKey]);
    expect(await eventTypes(t.db, started.paymentId)).toEqual(['payment.authorized']);
    expect(h.gateway.calls.filter((c) => c.idempotencyKey === started.idempotencyKey)).toHaveLength(1);
  });

  it('requires_action: client data for the storefront, then authorizePayment completes it', async () => {
    const started = await start('requires_action');
    const res = await record(started, await callProvider(h.deps, started));
    expect(res.payment.status).toBe('requires_action');
    expect(res.clientData).toMatchObject({ clientSecret: expect.any(String) });
    expect(await ledgerRows(t.db, started.paymentId)).toEqual([]);
    const done = await authorizePayment(h.deps, started.paymentId);
    expect(done.payment.status).toBe('authorized');
    expect(await ledgerRows(t.db, started.paymentId)).toEqual([
      expect.objectContaining({ kind: 'authorization', idempotency_key: `${started.paymentId}:authorize` }),
    ]);
    await expect(authorizePayment(h.deps, started.paymentId)).rejects.toMatchObject({ code: 'PAYMENT_STATE' });
  });

  it('a webhook that arrives before phase 3 records the authorization; phase 3 is then a no-op', async () => {
    const started = await start('approve');
    const outcome = await callProvider(h.deps, started);
    const hook = {
      eventId: 'evt_gw_1',
      type: 'authorized' as const,
      providerType: 'test.authorized',
      providerReference: `pi_test_${started.paymentId}`,
      idempotencyKey: started.idempotencyKey,
    };
    expect(await applyProviderEvent(h.deps, 'test', hook)).toBe('applied');
    expect(await applyProviderEvent(h.deps, 'test', hook)).toBe('duplicate');
    expect((await record(started, outcome)).payment.status).toBe('authorized');
    expect(await ledgerRows(t.db, started.paymentId)).toHaveLength(1);
    expect(await eventTypes(t.db, started.paymentId)).toEqual(['payment.authorized']);
    expect(
      await applyProviderEvent(h.deps, 'test', {
        ...hook,
        providerReference: 'pi_unknown',
        idempotencyKey: 'pay_unknown:initiate',
      }),
    ).toBe('ignored');
  });

  it('refuses an unknown provider (422 naming /provider) and a non-positive amount, writing nothing', async () => {
    await expect(start('approve').then(() => undefined)).resolves.toBeUndefined();
    const before = await t.db.selectFrom('payment').select('id').execute();
    await expect(
      initiatePayment(h.deps, { cartId: 'c', provider: 'nope', amount: { amount: 1, currency: 'EUR' } }),
    ).rejects.toMatchObject({ status: 422, code: 'UNKNOWN_PAYMENT_PROVIDER', errors: [{ path: '/provider' }] });
    await expect(
      initiatePayment(h.deps, { cartId: 'c', provider: 'manual', amount: { amount: 0, currency: 'EUR' } }),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(
      initiatePayment(h.deps, { cartId: 'c', provider: 'manual', amount: { amount: 10, currency: 'XXX' } }),
    ).rejects.toMatchObject({ code: 'UNKNOWN_CURRENCY' });
    expect(await t.db.selectFrom('payment').select('id').execute()).toHaveLength(before.length);
  });

  it('attachOrder links payments to an order whose totals come from the ledger; another order is refused', async () => {
    const a = await authorized(h, 1000, 'manual');
    const b = await authorized(h, 500, 'manual');
    await withTransaction(t.db, async (tx) => {
      await attachOrder(tx, a.id, 'ord_1');
      await attachOrder(tx, a.id, 'ord_1');
      await attachOrder(tx, b.id, 'ord_1');
    });
    await expect(withTransaction(t.db, (tx) => attachOrder(tx, a.id, 'ord_2'))).rejects.toMatchObject({
      code: 'PAYMENT_ORDER_MISMATCH',
    });
    expect(await paymentTotalsForOrder(t.db, 'ord_1')).toMatchObject({ authorized: 1500, captured: 0, net: 0 });
    expect(await paymentTotalsForOrder(t.db, 'ord_none')).toBeNull();
  });
});
