import { sql } from 'kysely';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { hold } from '../../src/modules/inventory/index.js';
import { withTransaction } from '../../src/platform/db/transaction.js';
import { createMetrics } from '../../src/platform/metrics.js';
import { EventHandlers } from '../../src/platform/outbox/handlers.js';
import { startWorkers } from '../../src/workers/index.js';
import { createTestDb, type TestDb } from '../support/db.js';
import { deps, level, makeLocation, makeVariants, receive, variantStock } from './inventory.helpers.js';

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
});
afterAll(() => t.destroy());

describe('the hold-expiry worker job', () => {
  it('gives expired holds back on its own, every HOLD_EXPIRY_INTERVAL_MS, and tells catalog', async () => {
    const loc = await makeLocation(t.db);
    const [v] = await makeVariants(t.db, 1);
    await receive(t.db, v!.itemId, loc.id, 3);
    await withTransaction(t.db, (tx) =>
      hold(deps(t.db), tx, { cartId: 'cart_w', lines: [{ variantId: v!.variantId, quantity: 3 }], ttlSeconds: 600 }),
    );
    expect(await variantStock(t.db, v!.variantId)).toMatchObject({ available: 0 });
    // The fake clock: the hold's expiry is moved into the past instead of waiting ten minutes.
    await sql`update stock_hold set expires_at = now() - interval '1 second' where cart_id = 'cart_w'`.execute(t.db);
    const workers = startWorkers({
      config: loadConfig({ HOLD_EXPIRY_INTERVAL_MS: '100', OUTBOX_POLL_INTERVAL_MS: '1000' }),
      db: t.db,
      logger: pino({ level: 'silent' }),
      metrics: createMetrics(),
      events: new EventHandlers(),
    });
    try {
      const deadline = Date.now() + 10_000;
      while ((await level(t.db, v!.itemId, loc.id)).held > 0 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
      }
    } finally {
      await workers.stop();
    }
    expect(await level(t.db, v!.itemId, loc.id)).toMatchObject({ on_hand: 3, held: 0 });
    expect(await variantStock(t.db, v!.variantId)).toMatchObject({ available: 3 });
    const last = await t.db
      .selectFrom('stock_movement')
      .select(['reason', 'reference_id', 'actor_type'])
      .where('item_id', '=', v!.itemId)
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(last).toEqual({ reason: 'expired', reference_id: 'cart_w', actor_type: 'system' });
  });
});
