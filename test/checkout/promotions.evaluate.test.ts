import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createPromotion,
  evaluatePromotions,
  getPromotion,
  type PromotionCart,
  PromotionExhaustedError,
  type PromotionInput,
  redeemPromotions,
  releaseRedemptions,
  updatePromotion,
} from '../../src/modules/checkout/index.js';
import { systemActor } from '../../src/platform/audit/audit.js';
import { withTransaction } from '../../src/platform/db/transaction.js';
import { newId } from '../../src/platform/ids.js';
import { createTestDb, type TestDb } from '../support/db.js';

/** evaluatePromotions, redeemPromotions and releaseRedemptions against the database (both engines). */

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
});
afterAll(() => t?.destroy());

const code = (label: string) => `${label}${Math.random().toString(36).slice(2, 8)}`.toUpperCase();
const make = (input: Omit<PromotionInput, 'name'> & { name?: string }) =>
  createPromotion(t.db, systemActor, { name: 'Promo', ...input } as PromotionInput);
const product = newId('product');
const cart = (over: Partial<PromotionCart> = {}): PromotionCart => ({
  currency: 'SEK', // only this file's automatic promotions are in SEK, so other tests' automatic ones stay out
  customerKey: null,
  codes: [],
  lines: [{ lineId: 'l1', productId: product, categoryIds: [], subtotal: 10_000 }],
  subtotal: 10_000,
  ...over,
});
const redemptions = async (promotionId: string) =>
  t.db.selectFrom('promotion_redemption').selectAll().where('promotion_id', '=', promotionId).execute();

describe('evaluatePromotions', () => {
  it('finds codes in any case, ignores inactive ones as unknown, and applies running automatic promotions', async () => {
    const c = code('spring');
    const p = await make({ code: c, kind: 'percentage', value: 1000, currency: 'SEK', minSubtotal: 5000 });
    const off = await make({ code: code('off'), kind: 'percentage', value: 1000, active: false });
    const auto = await make({ kind: 'fixed', value: 300, currency: 'SEK', combinable: true });
    const past = await make({ kind: 'fixed', value: 700, currency: 'SEK', endsAt: '2020-01-01T00:00:00Z' });
    const r = await evaluatePromotions(t.db, cart({ codes: [c.toLowerCase(), off.code as string] }));
    expect(r.rejectedCodes).toEqual([{ code: off.code, reason: 'unknown' }]);
    // the non-combinable 10% (1000) beats the combinable automatic stack (300)
    expect(r.applied).toEqual([{ promotionId: p.id, code: c, amount: 1000 }]);
    const plain = await evaluatePromotions(t.db, cart());
    expect(plain.applied).toEqual([{ promotionId: auto.id, code: null, amount: 300 }]);
    expect(plain.applied.map((a) => a.promotionId)).not.toContain(past.id);
    await updatePromotion(t.db, systemActor, auto.id, { active: false });
  });

  it('counts a customer’s own redemptions (guests by email, any case) against the per-customer limit', async () => {
    const c = code('once');
    const p = await make({ code: c, kind: 'fixed', value: 100, currency: 'SEK', perCustomerLimit: 1 });
    await withTransaction(t.db, (tx) =>
      redeemPromotions(tx, { promotionIds: [p.id], customerKey: 'Ann@Example.com', orderId: 'ord_a' }),
    );
    const again = await evaluatePromotions(t.db, cart({ codes: [c], customerKey: 'ann@example.com' }));
    expect(again.rejectedCodes).toEqual([{ code: c, reason: 'usage_limit_reached' }]);
    const other = await evaluatePromotions(t.db, cart({ codes: [c], customerKey: 'bob@example.com' }));
    expect(other.applied).toHaveLength(1);
  });
});

describe('redeemPromotions / releaseRedemptions', () => {
  it('counts a use and records the redemption; a re-run for the same order changes nothing', async () => {
    const p = await make({ code: code('r'), kind: 'percentage', value: 500, usageLimit: 5 });
    const orderId = newId('order');
    for (let i = 0; i < 2; i++) {
      await withTransaction(t.db, (tx) =>
        redeemPromotions(tx, { promotionIds: [p.id], customerKey: 'cus_x', orderId }),
      );
    }
    expect((await getPromotion(t.db, p.id)).used).toBe(1);
    expect(await redemptions(p.id)).toMatchObject([{ order_id: orderId, customer_key: 'cus_x', n: null }]);
  });

  it('refuses an exhausted promotion with 409 PROMOTION_EXHAUSTED naming it, leaving every promotion unchanged', async () => {
    const free = await make({ code: code('free'), kind: 'percentage', value: 500 });
    const one = await make({ code: code('one'), kind: 'percentage', value: 500, usageLimit: 1 });
    await withTransaction(t.db, (tx) =>
      redeemPromotions(tx, { promotionIds: [one.id], customerKey: null, orderId: 'ord_first' }),
    );
    const attempt = withTransaction(t.db, (tx) =>
      redeemPromotions(tx, { promotionIds: [free.id, one.id], customerKey: null, orderId: 'ord_second' }),
    );
    await expect(attempt).rejects.toBeInstanceOf(PromotionExhaustedError);
    await expect(attempt).rejects.toMatchObject({
      status: 409,
      code: 'PROMOTION_EXHAUSTED',
      extensions: { promotionId: one.id, promotionCode: one.code },
    });
    expect((await getPromotion(t.db, free.id)).used).toBe(0);
    expect(await redemptions(free.id)).toEqual([]);
    expect((await getPromotion(t.db, one.id)).used).toBe(1);
  });

  it('refuses a customer past the per-customer limit and reuses a released slot', async () => {
    const p = await make({ code: code('pc'), kind: 'percentage', value: 500, perCustomerLimit: 2 });
    const redeem = (orderId: string) =>
      withTransaction(t.db, (tx) => redeemPromotions(tx, { promotionIds: [p.id], customerKey: 'cus_y', orderId }));
    await redeem('ord_1');
    await redeem('ord_2');
    await expect(redeem('ord_3')).rejects.toMatchObject({ code: 'PROMOTION_EXHAUSTED' });
    expect(await withTransaction(t.db, (tx) => releaseRedemptions(tx, 'ord_1'))).toEqual([p.id]);
    expect((await getPromotion(t.db, p.id)).used).toBe(1);
    await redeem('ord_3');
    expect((await redemptions(p.id)).map((r) => r.n).sort()).toEqual([1, 2]);
    expect((await getPromotion(t.db, p.id)).used).toBe(2);
    expect(await withTransaction(t.db, (tx) => releaseRedemptions(tx, 'ord_none'))).toEqual([]);
  });

  it('refuses an unknown promotion id as exhausted', async () => {
    const attempt = withTransaction(t.db, (tx) =>
      redeemPromotions(tx, { promotionIds: ['promo_gone'], customerKey: null, orderId: 'ord_z' }),
    );
    await expect(attempt).rejects.toMatchObject({ code: 'PROMOTION_EXHAUSTED' });
  });
});
