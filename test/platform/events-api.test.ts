import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { withTransaction } from '../../src/platform/db/transaction.js';
import { appendEvent } from '../../src/platform/outbox/outbox.js';
import { auth, staffSession } from '../identity/staff.helpers.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { usingPostgres } from '../support/db.js';
import { deferred } from '../support/fixtures/outbox.js';

interface Item {
  id: string;
  type: string;
  aggregateId: string | null;
  position: string;
  sequencedAt: string;
  status: string;
}
interface Page {
  data: Item[];
  nextCursor: string | null;
}

let t: TestApp;
let owner: string;
beforeAll(async () => {
  t = await createTestApp();
  owner = (await staffSession(t)).token;
});
afterAll(async () => {
  await t?.close();
});
beforeEach(async () => {
  await t.db.db.deleteFrom('outbox_event').execute(); // each test reads the whole feed
});

const emit = (type: string, aggregateId: string) =>
  withTransaction(t.db.db, (tx) => appendEvent<string>(tx, { type, aggregateId, payload: { aggregateId } }));
const list = (query: string) => t.app.inject({ method: 'GET', url: `/v1/admin/events${query}`, headers: auth(owner) });
const page = async (query: string) => {
  const res = await list(query);
  expect(res.statusCode, res.body).toBe(200);
  return res.json<Page>();
};
/** Reads the feed the way a consumer does: from its last position until no cursor comes back. */
async function readAll(query: string, after?: string): Promise<Item[]> {
  const seen: Item[] = [];
  let cursor = after;
  for (;;) {
    const p = await page(`?limit=7${query}${cursor ? `&after=${cursor}` : ''}`);
    seen.push(...p.data);
    if (!p.nextCursor) return seen;
    expect(p.nextCursor).toBe(p.data.at(-1)?.position);
    cursor = p.nextCursor;
  }
}

describe('events API (GET /v1/admin/events)', () => {
  it('pages through every event in commit order, no gaps or repeats, and a consumer polls on from its last position', async () => {
    const ids: string[] = [];
    for (let n = 0; n < 20; n++) ids.push(await emit(n % 2 ? 'order.placed' : 'product.updated', `res_${n % 3}`));
    const all = await readAll('');
    expect(all.map((e) => e.id)).toEqual(ids); // written one after another: commit order = write order
    const positions = all.map((e) => BigInt(e.position));
    expect(positions.every((p, i) => i === 0 || p > (positions[i - 1] ?? 0n))).toBe(true);
    expect(all[0]).toMatchObject({ type: 'product.updated', aggregateId: 'res_0', status: 'pending' });
    expect(Number.isNaN(Date.parse(all[0]?.sequencedAt ?? ''))).toBe(false);

    const last = all.at(-1)?.position ?? '';
    expect(await page(`?after=${last}`)).toEqual({ data: [], nextCursor: null });
    const later = [await emit('order.placed', 'res_9'), await emit('order.placed', 'res_9')];
    expect((await readAll('', last)).map((e) => e.id)).toEqual(later);
  });

  it('filters by one or several types and by resource; the cursor means the same with filters', async () => {
    const a = await emit('order.placed', 'ord_1');
    const b = await emit('product.updated', 'prod_1');
    const c = await emit('order.cancelled', 'ord_1');
    const d = await emit('order.placed', 'ord_2');
    const ids = async (q: string) => (await readAll(q)).map((e) => e.id);
    expect(await ids('&type=order.placed')).toEqual([a, d]);
    expect(await ids('&type=order.placed,order.cancelled')).toEqual([a, c, d]);
    expect(await ids('&resourceId=ord_1')).toEqual([a, c]);
    expect(await ids('&resourceId=ord_1&type=order.cancelled')).toEqual([c]);
    expect(await ids('&type=inventory.low_stock')).toEqual([]);
    const first = await page('?type=order.placed&limit=1');
    expect(first.nextCursor).toBe(first.data[0]?.position);
    expect((await page(`?type=order.placed&after=${first.nextCursor}`)).data.map((e) => e.id)).toEqual([d]);
    expect((await page(`?after=${first.nextCursor}`)).data.map((e) => e.id)).toEqual([b, c, d]);
  });

  it('order=desc lists newest first and pages back in time; status filters', async () => {
    const ids: string[] = [];
    for (let n = 0; n < 5; n++) ids.push(await emit('order.placed', `ord_${n}`));
    await t.db.db
      .updateTable('outbox_event')
      .set({ status: 'dead', last_error: 'gave up' })
      .where('id', '=', ids[1] ?? '')
      .execute();
    const first = await page('?order=desc&limit=2');
    expect(first.data.map((e) => e.id)).toEqual([ids[4], ids[3]]);
    const second = await page(`?order=desc&limit=2&cursor=${first.nextCursor}`);
    expect(second.data.map((e) => e.id)).toEqual([ids[2], ids[1]]);
    const third = await page(`?order=desc&limit=2&after=${second.nextCursor}`);
    expect(third).toMatchObject({ data: [{ id: ids[0] }], nextCursor: null });
    expect((await page('?status=dead')).data.map((e) => [e.id, e.status])).toEqual([[ids[1], 'dead']]);
  });

  it.runIf(usingPostgres)(
    'an event whose transaction commits after a consumer read past later ones still reaches that consumer',
    async () => {
      const written = deferred<string>();
      const commit = deferred();
      const slow = withTransaction(t.db.db, async (tx) => {
        const id = await appendEvent<string>(tx, { type: 'order.placed', aggregateId: 'ord_slow', payload: {} });
        written.resolve(id);
        await commit.promise;
        return id;
      });
      const slowId = await written.promise;
      const fast = await emit('order.placed', 'ord_fast');
      const before = await page('');
      expect(before.data.map((e) => e.id)).toEqual([fast]);
      commit.resolve();
      await slow;
      const after = await page(`?after=${before.data.at(-1)?.position}`);
      expect(after.data.map((e) => e.id)).toEqual([slowId]);
      expect(slowId < fast).toBe(true); // the older id comes later: ids are not commit order
    },
  );

  it.each([
    ['type=Order.Placed', '/query/type'],
    ['type=order', '/query/type'],
    ['type=order.placed,', '/query/type'],
    [`type=${Array.from({ length: 51 }, (_, n) => `order.t${n}`).join(',')}`, '/query/type'],
    ['after=abc', '/query/after'],
    ['after=-1', '/query/after'],
    ['after=007', '/query/after'],
    ['after=12345678901234567890', '/query/after'],
    ['after=9999999999999999999', '/query/after'],
    ['cursor=evt_01', '/query/cursor'],
    ['after=1&cursor=2', '/query/cursor'],
    ['limit=0', '/query/limit'],
    ['limit=101', '/query/limit'],
    ['order=sideways', '/query/order'],
    ['status=lost', '/query/status'],
    ['resourceId=', '/query/resourceId'],
  ])('refuses %s with 400 naming the field', async (query, path) => {
    const res = await list(`?${query}`);
    expect(res.statusCode, res.body).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json<{ errors: { path: string }[] }>().errors.map((e) => e.path)).toContain(path);
  });
});
