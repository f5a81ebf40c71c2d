import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client } from '../checkout/checkout.helpers.js';
import { readyCart } from '../checkout/completion.helpers.js';
import { customRole, staffSession } from '../identity/staff.helpers.js';
import { createTestApp, type TestApp } from '../support/app.js';

/**
 * GET /v1/admin/disputes: the disputes recorded from gateway webhooks (see disputes.e2e.test.ts for how they arrive),
 * newest opened first, filtered by status, paged with a cursor; payments:manage only.
 */

let t: TestApp;
let owner: ReturnType<typeof client>;
let paymentId: string;
const tag = Date.now().toString(36);

interface Dispute {
  disputeId: string;
  paymentId: string;
  status: string;
  amount: number | null;
  openedAt: string;
}

beforeAll(async () => {
  t = await createTestApp();
  owner = client(t, (await staffSession(t)).token);
  const { cartId } = await readyCart(t);
  const done = await t.app.inject({ method: 'POST', url: `/v1/store/carts/${cartId}/complete` });
  expect(done.statusCode).toBe(200);
  const payment = await t.db.db
    .selectFrom('payment')
    .select('id')
    .where('cart_id', '=', cartId)
    .executeTakeFirstOrThrow();
  paymentId = payment.id;
  const base = Date.parse('2031-01-01T00:00:00Z');
  await t.db.db
    .insertInto('payment_dispute')
    .values(
      [0, 1, 2, 3, 4].map((i) => ({
        provider: 'stripe',
        dispute_id: `dp_${tag}_${i}`,
        payment_id: paymentId,
        status: i % 2 === 0 ? 'needs_response' : 'won',
        reason: 'fraudulent',
        amount: 1000 + i,
        currency: 'EUR',
        // two disputes share an opening time: paging must not lose or repeat either
        opened_at: new Date(base + Math.min(i, 3) * 60_000),
      })),
    )
    .execute();
});
afterAll(async () => {
  await t?.close();
});

const mine = (rows: Dispute[]) => rows.filter((d) => d.disputeId.startsWith(`dp_${tag}_`));

describe('GET /v1/admin/disputes', () => {
  it('lists disputes newest opened first with their payment, amount and status', async () => {
    const res = await owner('GET', '/v1/admin/disputes?limit=100');
    expect(res.statusCode).toBe(200);
    const rows = mine(res.json().data);
    expect(rows.map((d) => d.disputeId)).toEqual([4, 3, 2, 1, 0].map((i) => `dp_${tag}_${i}`));
    expect(rows[0]).toMatchObject({ paymentId, status: 'needs_response', amount: 1004 });
  });

  it('pages with the cursor without losing or repeating a dispute opened at the same time as another', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const url: string = `/v1/admin/disputes?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const res = await owner('GET', url);
      expect(res.statusCode).toBe(200);
      const body = res.json() as { data: Dispute[]; nextCursor: string | null };
      expect(body.data.length).toBeLessThanOrEqual(2);
      seen.push(...body.data.map((d) => d.disputeId));
      cursor = body.nextCursor;
    } while (cursor);
    const ours = seen.filter((id) => id.startsWith(`dp_${tag}_`));
    expect(ours).toEqual([4, 3, 2, 1, 0].map((i) => `dp_${tag}_${i}`));
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('filters by status', async () => {
    const res = await owner('GET', '/v1/admin/disputes?status=won&limit=100');
    expect(res.statusCode).toBe(200);
    const rows = mine(res.json().data);
    expect(rows.map((d) => d.disputeId)).toEqual([3, 1].map((i) => `dp_${tag}_${i}`));
    expect(res.json().data.every((d: Dispute) => d.status === 'won')).toBe(true);
  });

  it('refuses a cursor it did not give (400 at /query/cursor)', async () => {
    const res = await owner('GET', '/v1/admin/disputes?cursor=nonsense');
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ path: '/query/cursor' }] });
  });

  it('answers 401 without credentials and 403 without payments:manage', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/v1/admin/disputes' })).statusCode).toBe(401);
    const role = await customRole(t, ['orders:read']);
    const reader = client(t, (await staffSession(t, role)).token);
    const res = await reader('GET', '/v1/admin/disputes');
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ code: expect.any(String) });
  });
});
