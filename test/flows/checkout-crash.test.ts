import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { finishStaleCompletions } from '../../src/modules/checkout/index.js';
import { verifyLedger } from '../../src/modules/inventory/index.js';
import { createPaymentProviders, testProvider, verifyPaymentLedger } from '../../src/modules/payments/index.js';
import { checkoutDeps, wireModules } from '../../src/wiring.js';
import { variantLevel } from '../checkout/carts.helpers.js';
import { readyCart } from '../checkout/completion.helpers.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { createTestDb, type TestDb, usingPostgres } from '../support/db.js';
import { spawnScript } from '../support/fixtures/server-process.js';

/**
 * A checkout process killed (SIGKILL) between phase one and phase three: its stock is reserved for an order nobody is
 * finishing. The worker must finish it — placed, or cancelled with the stock released — so nothing is held forever.
 * PostgreSQL only: the killed process and the test share the database.
 */
let db: TestDb;
let t: TestApp;
const providers = () => createPaymentProviders({ extra: [testProvider({ timeoutMs: 300 })] });
beforeAll(async () => {
  if (!usingPostgres) return;
  db = await createTestDb();
  t = await createTestApp({ db, payments: { providers: providers(), providerTimeoutMs: 100 } });
});
afterAll(async () => {
  await t?.close();
  await db?.destroy();
});

async function killedAfterPhaseOne(cartId: string): Promise<string> {
  const child = spawnScript(['test/support/fixtures/checkout-phase-one.ts'], {
    DATABASE_URL: db.url as string,
    CART_ID: cartId,
  });
  const line = await child.waitFor((l) => l.probe === 'phase-one-committed', 60_000);
  child.child.kill('SIGKILL');
  expect(await child.exited).toMatchObject({ signal: 'SIGKILL' });
  return String(line.orderId);
}

describe.skipIf(!usingPostgres)('a checkout process killed between its phases', { timeout: 120_000 }, () => {
  it('is finished by the worker: the approved one placed, the declined one cancelled with its stock released', async () => {
    const approve = await readyCart(t, { quantities: [2], provider: 'test' });
    const decline = await readyCart(t, { quantities: [1], provider: 'test', data: { testOutcome: 'decline' } });
    const approvedOrder = await killedAfterPhaseOne(approve.cartId);
    const declinedOrder = await killedAfterPhaseOne(decline.cartId);
    // The dead process left both orders waiting, their stock reserved.
    for (const id of [approvedOrder, declinedOrder]) {
      const o = await t.db.db.selectFrom('order').select('status').where('id', '=', id).executeTakeFirstOrThrow();
      expect(o.status).toBe('pending_payment');
    }
    expect(await variantLevel(t, decline.variants[0]!.variantId)).toEqual({ onHand: 10, reserved: 1, held: 0 });

    const deps = checkoutDeps(wireModules(t.db.db, { payments: { providers: providers() } }), t.config);
    const sweep = await finishStaleCompletions(deps, { graceSeconds: 0 });
    expect(sweep).toMatchObject({ claimed: 2, placed: 1, cancelled: 1, waiting: 0 });

    const statuses = await t.db.db
      .selectFrom('order')
      .select(['id', 'status', 'payment_status'])
      .where('id', 'in', [approvedOrder, declinedOrder])
      .execute();
    expect(statuses).toEqual(
      expect.arrayContaining([
        { id: approvedOrder, status: 'placed', payment_status: 'authorized' },
        { id: declinedOrder, status: 'cancelled', payment_status: 'not_paid' },
      ]),
    );
    expect(await variantLevel(t, approve.variants[0]!.variantId)).toEqual({ onHand: 10, reserved: 2, held: 0 });
    expect(await variantLevel(t, decline.variants[0]!.variantId)).toEqual({ onHand: 10, reserved: 0, held: 0 });
    // A second sweep finds nothing left to do.
    expect(await finishStaleCompletions(deps, { graceSeconds: 0 })).toMatchObject({ claimed: 0 });
    expect(await verifyLedger(t.db.db)).toEqual([]);
    expect(await verifyPaymentLedger(t.db.db)).toEqual([]);
  });
});
