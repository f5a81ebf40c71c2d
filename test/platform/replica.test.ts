import { sql } from 'kysely';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CATALOG_CHANGED_CHANNEL } from '../../src/modules/catalog/index.js';
import { createDb, type DbHandle } from '../../src/platform/db/create-db.js';
import { countStatements } from '../catalog/storefront.support.js';
import { ownerClient } from '../checkout/checkout.helpers.js';
import { complete, readyCart } from '../checkout/completion.helpers.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { createTestDb, type TestDb } from '../support/db.js';
import { type Replica, replicaCaughtUp, startReplica, topologyUnavailable } from '../support/pg-cluster.js';

/**
 * DATABASE_REPLICA_URL with a real streaming replica (pg_basebackup -R of the test server, hot standby on a free
 * port). Lag is made deterministic by pausing WAL replay on the replica (pg_wal_replay_pause), never by sleeping.
 */
const unavailable = topologyUnavailable('replica');

interface Detail {
  title: string;
  variants: { price: { amount: number } | null }[];
}

describe.skipIf(unavailable)(`reads on a streaming replica${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  let primary: TestDb;
  let replica: Replica;
  let handle: DbHandle;
  let t: TestApp;
  let product: { productId: string; variantId: string };

  beforeAll(async () => {
    primary = await createTestDb();
    const url = primary.url ?? '';
    replica = await startReplica(url);
    handle = await createDb({
      url,
      replicaUrl: replica.urlFor(new URL(url).pathname.slice(1)),
      dataDir: '',
      poolMax: 6,
      lockTimeoutMs: 5000,
      statementTimeoutMs: 60_000,
    });
    t = await createTestApp({ db: { ...handle, url, destroy: () => handle.close() } });
    const cart = await readyCart(t, { quantities: [1] });
    product = cart.variants[0]!;
    await replicaCaughtUp(url, replica.urlFor('postgres'));
  }, 120_000);

  afterAll(async () => {
    await replica?.resume().catch(() => {});
    await t?.close();
    await handle?.close();
    replica?.destroy();
    await primary?.destroy();
  });

  /** The product as a list request that no earlier request made shows it (a new `limit`), so it is read, not cached. */
  let reads = 0;
  const freshDetail = async (): Promise<{ statusCode: number; product: Detail | undefined }> => {
    const res = await t.app.inject({ method: 'GET', url: `/v1/store/products?currency=EUR&limit=${100 - ++reads}` });
    const found = res.json<{ data?: ({ id: string } & Detail)[] }>().data?.find((p) => p.id === product.productId);
    return { statusCode: res.statusCode, product: found };
  };
  const detail = async (query = 'currency=EUR') =>
    (await t.app.inject({ method: 'GET', url: `/v1/store/products/${product.productId}?${query}` })).json<Detail>();

  /**
   * Every change made so far is on the replica, and the node knows: a fence taken now (after the notifications of
   * the test's earlier writes, which arrive within the requests that followed them), then the replica past it.
   */
  const settled = async () => {
    await handle.fenceReads();
    await replicaCaughtUp(primary.url ?? '', replica.urlFor('postgres'));
  };

  /** A change on the primary that announces nothing (no catalog_changed): only the replica's lag can hide it. */
  const silentRename = (title: string) =>
    sql`update product_document set doc = jsonb_set(doc, '{title}', to_jsonb(${title}::text))
        where product_id = ${product.productId}`.execute(primary.db);

  it('serves storefront reads from the replica: a silent change on the primary is not seen while replay is paused', async () => {
    await settled();
    await replica.pause();
    try {
      await silentRename('Renamed on the primary');
      const primaryTitle = await sql<{ title: string }>`
        select doc->>'title' as title from product_document where product_id = ${product.productId} limit 1`.execute(
        primary.db,
      );
      expect(primaryTitle.rows[0]?.title).toBe('Renamed on the primary');
      const seen = await freshDetail();
      expect(seen.statusCode).toBe(200);
      expect(seen.product?.title).not.toBe('Renamed on the primary');
    } finally {
      await replica.resume();
    }
    await replicaCaughtUp(primary.url ?? '', replica.urlFor('postgres'));
    expect((await freshDetail()).product?.title).toBe('Renamed on the primary');
  });

  it('never serves the old price once the node heard the change, though the replica still has it', async () => {
    expect((await detail()).variants[0]?.price?.amount).toBe(1999);
    expect((await countStatements(() => detail())).count).toBe(0); // cached from the replica
    await replica.pause();
    try {
      let heard!: () => void;
      const notified = new Promise<void>((resolve) => {
        heard = resolve;
      });
      // Registered after the app's listener on the same connection: runs once the app's cache was cleared.
      const stop = await handle.listen(CATALOG_CHANGED_CHANNEL, () => heard());
      try {
        const call = await ownerClient(t);
        const res = await call('POST', '/v1/admin/prices/bulk', {
          prices: [{ variantId: product.variantId, currency: 'EUR', amount: 2999 }],
        });
        expect(res.statusCode).toBe(200);
        await notified;
      } finally {
        await stop();
      }
      // The replica still answers 1999 …
      const onReplica = postgres(replica.urlFor(new URL(primary.url ?? '').pathname.slice(1)), { max: 1 });
      try {
        const rows = await onReplica<{ amount: number }[]>`
          select amount::int from variant_price where variant_id = ${product.variantId} and currency_code = 'EUR'`;
        expect(rows.map((r) => r.amount)).toEqual([1999]);
      } finally {
        await onReplica.end();
      }
      // … but the storefront reads the primary until the replica replays the change, and caches the new answer.
      expect((await detail()).variants[0]?.price?.amount).toBe(2999);
      const again = await countStatements(() => detail());
      expect(again.count).toBe(0);
      expect(again.result.variants[0]?.price?.amount).toBe(2999);
      const list = await t.app.inject({ method: 'GET', url: '/v1/store/products?currency=EUR&limit=100' });
      const listed = list.json<{ data: ({ id: string } & Detail)[] }>().data.find((p) => p.id === product.productId);
      expect(listed?.variants[0]?.price?.amount).toBe(2999);
    } finally {
      await replica.resume();
    }
  });

  it('goes back to the replica once it has replayed the change', async () => {
    await settled();
    expect((await freshDetail()).product?.variants[0]?.price?.amount).toBe(2999); // checks the replay position
    await replica.pause();
    try {
      await silentRename('Second silent rename');
      expect((await freshDetail()).product?.title).not.toBe('Second silent rename');
    } finally {
      await replica.resume();
    }
  });

  it('keeps carts, checkout and the dashboard on what the primary has, with replay paused', async () => {
    await replicaCaughtUp(primary.url ?? '', replica.urlFor('postgres'));
    await replica.pause();
    try {
      const cart = await readyCart(t, { quantities: [2] });
      const done = await complete(t, cart.cartId);
      expect(done.statusCode).toBe(200);
      const orderId = done.json<{ order: { id: string } }>().order.id;
      const call = await ownerClient(t);
      const dashboard = await call('GET', '/v1/admin/dashboard');
      expect(dashboard.statusCode).toBe(200);
      const body = dashboard.json<{ sales: { currency: string; today: { orders: number } }[]; activity: unknown[] }>();
      // The order placed a moment ago is counted although the replica has not replayed it: the dashboard's
      // read fence sent its reads to the primary.
      const eur = body.sales.find((s) => s.currency === 'EUR');
      expect(eur?.today.orders).toBe(1);
      const onReplica = await sql<{ n: number }>`select count(*)::int as n from "order" where id = ${orderId}`.execute(
        handle.readDb,
      );
      expect(onReplica.rows[0]?.n).toBe(1); // readDb itself is fenced too: it reads the primary while behind
    } finally {
      await replica.resume();
    }
  });

  it('answers storefront reads from the primary while the replica is down, and readiness says degraded', async () => {
    replica.stop();
    try {
      const res = await freshDetail();
      expect(res.statusCode).toBe(200);
      expect(res.product?.variants[0]?.price?.amount).toBe(2999);
      const ready = await t.app.inject({ method: 'GET', url: '/health/ready' });
      expect(ready.statusCode).toBe(200);
      const body = ready.json<{ status: string; checks: { replica?: { status: string } } }>();
      expect(body.status).toBe('degraded');
      expect(body.checks.replica?.status).toBe('down');
    } finally {
      replica.start();
    }
    const ready = await t.app.inject({ method: 'GET', url: '/health/ready' });
    const replicaCheck = ready.json<{ checks: { replica?: { status: string; lagBytes?: number } } }>().checks.replica;
    expect(replicaCheck?.status).toBe('up');
    expect(replicaCheck?.lagBytes).toBeGreaterThanOrEqual(0);
  });
});
