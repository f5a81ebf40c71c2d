import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  applyProviderEvent,
  capturePayment,
  PaymentAmountExceededError,
  PaymentDeclinedError,
  paymentTotals,
  reconcilePendingOperations,
  refundPayment,
  verifyPaymentLedger,
  voidPayment,
} from '../../src/modules/payments/index.js';
import { createTestDb, type TestDb } from '../support/db.js';
import {
  authorized,
  eventTypes,
  expireLeases,
  harness,
  ledgerRows,
  type PaymentsHarness,
  staff,
} from './payments.helpers.js';

let t: TestDb;
let h: PaymentsHarness;
beforeAll(async () => {
  t = await createTestDb();
  h = harness(t.db);
});
afterAll(() => t.destroy());

const eur = (amount: number) => ({ amount, currency: 'EUR' });
const pendingOps = async (paymentId: string) =>
  t.db
    .selectFrom('payment_operation')
    .select(['kind', 'status', 'idempotency_key'])
    .where('payment_id', '=', paymentId)
    .where('status', '=', 'pending')
    .execute();

describe('capture, refund, void', () => {
  it('captures in parts up to the authorization, refunds up to the capture; totals equal the ledger', async () => {
    const p = await authorized(h, 10_000);
    expect((await capturePayment(h.deps, { paymentId: p.id, amount: eur(4000) })).status).toBe('partially_captured');
    expect((await capturePayment(h.deps, { paymentId: p.id, amount: eur(6000) })).status).toBe('captured');
    expect((await refundPayment(h.deps, { paymentId: p.id, amount: eur(2500) })).status).toBe('partially_refunded');
    const done = await refundPayment(h.deps, { paymentId: p.id, amount: eur(7500) });
    expect(done).toMatchObject({ status: 'refunded', captured: 10_000, refunded: 10_000 });
    expect(await paymentTotals(t.db, p.id)).toEqual({
      currency: 'EUR',
      authorized: 10_000,
      captured: 10_000,
      refunded: 10_000,
      voided: 0,
      net: 0,
    });
    expect((await ledgerRows(t.db, p.id)).map((r) => r.idempotency_key)).toEqual([
      `${p.id}:initiate`,
      `${p.id}:capture:1`,
      `${p.id}:capture:2`,
      `${p.id}:refund:1`,
      `${p.id}:refund:2`,
    ]);
    expect(await eventTypes(t.db, p.id)).toEqual([
      'payment.authorized',
      'payment.captured',
      'payment.captured',
      'payment.refunded',
      'payment.refunded',
    ]);
    expect(await verifyPaymentLedger(t.db)).toEqual([]);
  });

  it('refuses to capture more than is left or refund more than was captured, and nothing happens', async () => {
    const p = await authorized(h, 1000, 'manual');
    await capturePayment(h.deps, { paymentId: p.id, amount: eur(700) });
    const calls = h.gateway.calls.length;
    await expect(capturePayment(h.deps, { paymentId: p.id, amount: eur(301) })).rejects.toMatchObject({
      status: 422,
      code: 'PAYMENT_AMOUNT_EXCEEDED',
      extensions: { requested: 301, available: 300 },
    });
    await expect(refundPayment(h.deps, { paymentId: p.id, amount: eur(701) })).rejects.toBeInstanceOf(
      PaymentAmountExceededError,
    );
    await expect(
      capturePayment(h.deps, { paymentId: p.id, amount: { amount: 1, currency: 'USD' } }),
    ).rejects.toMatchObject({ code: 'CURRENCY_MISMATCH' });
    await expect(capturePayment(h.deps, { paymentId: 'pay_missing', amount: eur(1) })).rejects.toMatchObject({
      status: 404,
    });
    expect(h.gateway.calls.length).toBe(calls);
    expect(await ledgerRows(t.db, p.id)).toHaveLength(2);
    expect(
      await t.db.selectFrom('payment_operation').select('id').where('payment_id', '=', p.id).execute(),
    ).toHaveLength(1);
  });

  it('voids an uncaptured authorization; refuses void after a capture and capture after a void', async () => {
    const p = await authorized(h, 3000);
    const voided = await voidPayment(h.deps, { paymentId: p.id, actor: staff });
    expect(voided.status).toBe('voided');
    expect(await paymentTotals(t.db, p.id)).toMatchObject({ authorized: 3000, voided: 3000, captured: 0, net: 0 });
    await expect(capturePayment(h.deps, { paymentId: p.id, amount: eur(1) })).rejects.toMatchObject({
      status: 409,
      code: 'PAYMENT_STATE',
    });
    const q = await authorized(h, 3000);
    await capturePayment(h.deps, { paymentId: q.id, amount: eur(1) });
    await expect(voidPayment(h.deps, { paymentId: q.id })).rejects.toMatchObject({ code: 'PAYMENT_STATE' });
    expect(await eventTypes(t.db, p.id)).toEqual(['payment.authorized', 'payment.voided']);
  });

  it('audits staff captures and refunds with who, what and how much', async () => {
    const p = await authorized(h, 2000, 'manual');
    await capturePayment(h.deps, { paymentId: p.id, amount: eur(2000), actor: staff });
    await refundPayment(h.deps, { paymentId: p.id, amount: eur(500), actor: staff });
    const audit = await t.db
      .selectFrom('audit_log')
      .select(['action', 'actor_id', 'changes'])
      .where('target_id', '=', p.id)
      .orderBy('id')
      .execute();
    expect(audit).toEqual([
      { action: 'payment.captured', actor_id: 'stf_test', changes: expect.objectContaining({ amount: 2000 }) },
      { action: 'payment.refunded', actor_id: 'stf_test', changes: expect.objectContaining({ amount: 500 }) },
    ]);
  });

  it('a declined capture is a failed ledger row and releases its reservation', async () => {
    const p = await authorized(h, 1000);
    h.gateway.script('decline');
    await expect(capturePayment(h.deps, { paymentId: p.id, amount: eur(1000) })).rejects.toBeInstanceOf(
      PaymentDeclinedError,
    );
    expect(await ledgerRows(t.db, p.id)).toEqual([
      expect.objectContaining({ kind: 'authorization', status: 'succeeded' }),
      expect.objectContaining({ kind: 'capture', status: 'failed', amount: 1000 }),
    ]);
    expect(await eventTypes(t.db, p.id)).toEqual(['payment.authorized', 'payment.failed']);
    expect((await capturePayment(h.deps, { paymentId: p.id, amount: eur(1000) })).status).toBe('captured');
    expect(await paymentTotals(t.db, p.id)).toMatchObject({ captured: 1000 });
  });

  it('a gateway error leaves the capture pending and reserved; the reconciler finishes it with the same key', async () => {
    const p = await authorized(h, 1000);
    h.gateway.script('error');
    await expect(capturePayment(h.deps, { paymentId: p.id, amount: eur(600) })).rejects.toMatchObject({
      status: 502,
    });
    expect(await pendingOps(p.id)).toEqual([
      { kind: 'capture', status: 'pending', idempotency_key: `${p.id}:capture:1` },
    ]);
    // Reserved: only 400 can still be captured while the outcome is unknown.
    await expect(capturePayment(h.deps, { paymentId: p.id, amount: eur(401) })).rejects.toMatchObject({
      code: 'PAYMENT_AMOUNT_EXCEEDED',
    });
    // Still leased to its caller: not the reconciler's yet.
    expect((await reconcilePendingOperations(h.deps)).claimed).toBe(0);
    await expireLeases(t.db);
    expect(await reconcilePendingOperations(h.deps)).toEqual({ claimed: 1, succeeded: 1, failed: 0, pending: 0 });
    expect(await reconcilePendingOperations(h.deps)).toMatchObject({ claimed: 0 });
    expect(await paymentTotals(t.db, p.id)).toMatchObject({ captured: 600 });
    const keys = h.gateway.calls.filter((c) => c.idempotencyKey === `${p.id}:capture:1`);
    expect(keys).toHaveLength(2);
    expect(await verifyPaymentLedger(t.db)).toEqual([]);
  });

  it('a timed-out refund (gateway did it, answer lost) is reconciled once: one ledger row, one event', async () => {
    const p = await authorized(h, 1000, 'test');
    await capturePayment(h.deps, { paymentId: p.id, amount: eur(1000) });
    h.gateway.script('timeout');
    await expect(refundPayment(h.deps, { paymentId: p.id, amount: eur(300) })).rejects.toMatchObject({
      code: 'PAYMENT_PROVIDER_TIMEOUT',
    });
    expect((await paymentTotals(t.db, p.id)).refunded).toBe(0);
    await expireLeases(t.db);
    expect((await reconcilePendingOperations(h.deps)).succeeded).toBe(1);
    expect(await paymentTotals(t.db, p.id)).toMatchObject({ refunded: 300, net: 700 });
    expect((await eventTypes(t.db, p.id)).filter((e) => e === 'payment.refunded')).toHaveLength(1);
  });

  it('a webhook and the reconciler reporting the same capture record it once', async () => {
    const p = await authorized(h, 1000);
    h.gateway.script('error');
    await expect(capturePayment(h.deps, { paymentId: p.id, amount: eur(1000) })).rejects.toMatchObject({
      status: 502,
    });
    const hook = {
      eventId: 'evt_cap',
      type: 'captured' as const,
      providerType: 'test.captured',
      providerReference: 'ch_1',
      idempotencyKey: `${p.id}:capture:1`,
    };
    expect(await applyProviderEvent(h.deps, 'test', { ...hook, type: 'refunded' })).toBe('ignored');
    expect(await applyProviderEvent(h.deps, 'test', hook)).toBe('applied');
    expect(await applyProviderEvent(h.deps, 'test', hook)).toBe('duplicate');
    await expireLeases(t.db);
    expect((await reconcilePendingOperations(h.deps)).claimed).toBe(0);
    expect((await ledgerRows(t.db, p.id)).filter((r) => r.kind === 'capture')).toHaveLength(1);
    expect(await paymentTotals(t.db, p.id)).toMatchObject({ captured: 1000 });
  });

  it('the ledger is append-only and one idempotency key is one row', async () => {
    const p = await authorized(h, 100, 'manual');
    await expect(sql`update payment_transaction set amount = 1`.execute(t.db)).rejects.toThrow(/append-only/);
    await expect(sql`delete from payment_transaction`.execute(t.db)).rejects.toThrow(/append-only/);
    await expect(sql`truncate payment_transaction`.execute(t.db)).rejects.toThrow(/append-only/);
    await expect(
      sql`insert into payment_transaction (id, payment_id, kind, status, amount, currency, idempotency_key)
          values ('ptx_dup', ${p.id}, 'capture', 'succeeded', 100, 'EUR', ${`${p.id}:initiate`})`.execute(t.db),
    ).rejects.toMatchObject({ code: '23505' });
    await expect(
      sql`update payment set captured = authorized + 1 where id = ${p.id}`.execute(t.db),
    ).rejects.toMatchObject({ code: '23514' });
  });
});
