import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createPromotion,
  getPromotion,
  PromotionExhaustedError,
  redeemPromotions,
} from '../../src/modules/checkout/index.js';
import { systemActor } from '../../src/platform/audit/audit.js';
import { withTransaction } from '../../src/platform/db/transaction.js';
import { newId } from '../../src/platform/ids.js';
import { createTestDb, type TestDb, usingPostgres } from '../support/db.js';

/**
 * Usage limits under real parallel transactions on separate connections (PostgreSQL only: the embedded database
 * runs transactions one at a time, which proves nothing about races).
 */
let t: TestDb | undefined;
beforeAll(async () => {
  if (usingPostgres) t = await createTestDb({ poolMax: 20, lockTimeoutMs: 20_000 });
});
afterAll(() => t?.destroy());

async function race(n: number, promotionId: string, customerKey: (i: number) => string | null) {
  const db = (t as TestDb).db;
  const outcomes = await Promise.allSettled(
    Array.from({ length: n }, (_, i) =>
      withTransaction(db, async (tx) => {
        const orderId = newId('order');
        await redeemPromotions(tx, { promotionIds: [promotionId], customerKey: customerKey(i), orderId });
        return orderId;
      }),
    ),
  );
  const failed = outcomes.filter((o) => o.status === 'rejected') as PromiseRejectedResult[];
  for (const f of failed) expect(f.reason).toBeInstanceOf(PromotionExhaustedError);
  const rows = await db
    .selectFrom('promotion_redemption')
    .selectAll()
    .where('promotion_id', '=', promotionId)
    .execute();
  return { ok: outcomes.length - failed.length, rows, used: (await getPromotion(db, promotionId)).used };
}

describe('promotion limits under concurrency', { timeout: 120_000 }, () => {
  it.runIf(usingPostgres)('a total limit of 10 with 100 parallel checkouts gives exactly 10 uses', async () => {
    const db = (t as TestDb).db;
    const p = await createPromotion(db, systemActor, {
      name: 'Flash',
      code: 'FLASH10',
      kind: 'percentage',
      value: 1000,
      usageLimit: 10,
    });
    const result = await race(100, p.id, (i) => `cus_${i}`);
    expect(result.ok).toBe(10);
    expect(result.used).toBe(10);
    expect(result.rows).toHaveLength(10);
  });

  it.runIf(usingPostgres)(
    'a per-customer limit of 1 with 20 parallel checkouts by one customer gives exactly 1',
    async () => {
      const db = (t as TestDb).db;
      const p = await createPromotion(db, systemActor, {
        name: 'Welcome',
        code: 'WELCOME1',
        kind: 'fixed',
        value: 500,
        currency: 'EUR',
        perCustomerLimit: 1,
      });
      const result = await race(20, p.id, (i) => (i % 2 ? 'ann@example.com' : 'ANN@example.com'));
      expect(result.ok).toBe(1);
      expect(result.used).toBe(1);
      expect(result.rows).toMatchObject([{ customer_key: 'ann@example.com', n: 1 }]);
    },
  );
});
