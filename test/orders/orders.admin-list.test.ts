import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Address } from '../../src/modules/orders/orders.tables.js';
import { countStatements } from '../catalog/storefront.support.js';
import { auth, staffSession } from '../identity/staff.helpers.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { placeOrderDirectly } from './orders.helpers.js';

/**
 * The staff orders list (issue 15): search by number / email / names, each filter, each sort paged with a cursor
 * (no row missed or repeated, ties on the sort key split by id), bad cursors refused, one statement per page.
 * Every order of this file carries `tag` in its email, so `q=<tag>` confines a query to them.
 */

let t: TestApp;
let staff: string;
let channel: string;
const tag = `lst${Date.now().toString(36)}`;

interface Row {
  id: string;
  number: number;
  email: string;
  customerName: string | null;
  salesChannelId: string;
  status: string;
  paymentStatus: string;
  fulfillmentStatus: string;
  total: { amount: number };
  createdAt: string;
}
interface Seeded {
  id: string;
  number: number;
  total: number;
  createdAt: string;
  status: string;
  paymentStatus: string;
  fulfillmentStatus: string;
  channel: string;
}
const seeded: Seeded[] = [];

const address = (firstName: string, lastName: string): Address => ({
  firstName,
  lastName,
  line1: '1 Main St',
  city: 'Berlin',
  postalCode: '10115',
  countryCode: 'DE',
});

// total, day offset, status, payment, fulfilment, other channel?, names (shipping, billing)
const specs: [number, number, string, string, string, boolean, [string, string], [string, string] | null][] = [
  [5000, 0, 'placed', 'authorized', 'not_fulfilled', false, ['Zoë', 'Müller'], null],
  [5000, 0, 'placed', 'paid', 'fulfilled', true, ['Ada', 'Lovelace'], ['Grace', 'Hopper']],
  [1200, 1, 'completed', 'paid', 'shipped', false, ['Alan', 'Turing'], null],
  [9900, 2, 'cancelled', 'voided', 'not_fulfilled', true, ['Edsger', 'Dijkstra'], null],
  [300, 3, 'placed', 'authorized', 'partially_fulfilled', false, ['Barbara', 'Liskov'], null],
  [5000, 5, 'completed', 'refunded', 'returned', false, ['Donald', 'Knuth'], null],
  [7777, 8, 'pending_payment', 'not_paid', 'not_fulfilled', true, ['Ken', 'Thompson'], null],
];

beforeAll(async () => {
  t = await createTestApp();
  staff = (await staffSession(t, 'role_support')).token;
  const owner = (await staffSession(t, 'role_owner')).token;
  const sc = await t.app.inject({
    method: 'POST',
    url: '/v1/admin/sales-channels',
    headers: auth(owner),
    payload: { name: `Wholesale ${tag}` },
  });
  channel = sc.json<{ id: string }>().id;
  const base = Date.parse('2026-11-20T12:00:00.000Z');
  for (const [i, [total, days, status, paymentStatus, fulfillmentStatus, other, ship, bill]] of specs.entries()) {
    const o = await placeOrderDirectly(t, {
      email: `buyer${i}.${tag}@example.com`,
      total,
      salesChannelId: other ? channel : 'sc_default',
      shippingAddress: address(...ship),
      billingAddress: bill ? address(...bill) : null,
    });
    // The list only reads these columns; setting them directly gives every combination without running each flow.
    // The first two orders share their creation time to the microsecond: the sort key ties, the id decides.
    const createdAt = new Date(base - days * 86_400_000).toISOString();
    await t.db.db
      .updateTable('order')
      .set({
        status,
        payment_status: paymentStatus,
        fulfillment_status: fulfillmentStatus,
        created_at: createdAt,
      } as never)
      .where('id', '=', o.id)
      .execute();
    seeded.push({
      id: o.id,
      number: o.number,
      total,
      createdAt,
      status,
      paymentStatus,
      fulfillmentStatus,
      channel: other ? channel : 'sc_default',
    });
  }
});
afterAll(async () => {
  await t?.close();
});

const list = (query: string) =>
  t.app.inject({ method: 'GET', url: `/v1/admin/orders?q=${tag}&${query}`, headers: auth(staff) });
const ids = async (query: string): Promise<string[]> => {
  const res = await list(query);
  expect(res.statusCode, res.body).toBe(200);
  return res.json<{ data: Row[] }>().data.map((r) => r.id);
};

/** Every page of `query` with `limit`, following nextCursor. */
async function allPages(query: string, limit: number): Promise<string[]> {
  const seen: string[] = [];
  let cursor: string | null = null;
  for (let pages = 0; pages < 50; pages++) {
    const res = await list(`${query}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
    expect(res.statusCode, res.body).toBe(200);
    const page = res.json<{ data: Row[]; nextCursor: string | null }>();
    expect(page.data.length).toBeLessThanOrEqual(limit);
    seen.push(...page.data.map((r) => r.id));
    cursor = page.nextCursor;
    if (!cursor) return seen;
  }
  throw new Error('more than 50 pages');
}

const byId = (a: Seeded, b: Seeded) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
const expected: Record<string, (a: Seeded, b: Seeded) => number> = {
  newest: (a, b) => b.createdAt.localeCompare(a.createdAt) || byId(b, a),
  oldest: (a, b) => a.createdAt.localeCompare(b.createdAt) || byId(a, b),
  total_desc: (a, b) => b.total - a.total || byId(b, a),
  total_asc: (a, b) => a.total - b.total || byId(a, b),
};

describe('staff orders list', () => {
  it('answers summaries with the customer name (billing before shipping) and the sales channel', async () => {
    const res = await list('limit=100');
    const rows = res.json<{ data: Row[] }>().data;
    expect(rows).toHaveLength(specs.length);
    const first = rows.find((r) => r.id === seeded[0]?.id);
    expect(first).toMatchObject({ customerName: 'Zoë Müller', salesChannelId: 'sc_default', total: { amount: 5000 } });
    expect(rows.find((r) => r.id === seeded[1]?.id)).toMatchObject({
      customerName: 'Grace Hopper',
      salesChannelId: channel,
    });
  });

  it.each(Object.keys(expected))('sorts %s and pages through it without missing or repeating a row', async (sort) => {
    const want = [...seeded].sort(expected[sort]).map((s) => s.id);
    for (const limit of [1, 2, 3]) expect(await allPages(`sort=${sort}`, limit)).toEqual(want);
    // A filter and a sort together page the same way.
    const placed = [...seeded]
      .filter((s) => s.status === 'placed')
      .sort(expected[sort])
      .map((s) => s.id);
    expect(await allPages(`sort=${sort}&status=placed`, 1)).toEqual(placed);
  });

  it('finds an order by its number, with or without #', async () => {
    const o = seeded[3];
    if (!o) throw new Error('seed');
    const byNumber = await t.app.inject({ method: 'GET', url: `/v1/admin/orders?q=${o.number}`, headers: auth(staff) });
    expect(byNumber.json<{ data: Row[] }>().data.map((r) => r.id)).toEqual([o.id]);
    const hashed = await t.app.inject({
      method: 'GET',
      url: `/v1/admin/orders?q=%23${o.number}`,
      headers: auth(staff),
    });
    expect(hashed.json<{ data: Row[] }>().data.map((r) => r.id)).toEqual([o.id]);
  });

  it('searches part of the email and the shipping or billing name, ignoring case and accents', async () => {
    const search = async (q: string) =>
      (await t.app.inject({ method: 'GET', url: `/v1/admin/orders?q=${encodeURIComponent(q)}`, headers: auth(staff) }))
        .json<{ data: Row[] }>()
        .data.map((r) => r.id)
        .filter((id) => seeded.some((s) => s.id === id));
    expect(await search(`BUYER2.${tag}`)).toEqual([seeded[2]?.id]);
    expect(await search('muller')).toEqual([seeded[0]?.id]);
    expect(await search('ZOË MÜL')).toEqual([seeded[0]?.id]);
    expect(await search('hopper')).toEqual([seeded[1]?.id]); // billing name
    expect(await search('lovelace')).toEqual([seeded[1]?.id]); // shipping name of the same order
    expect(await search('dijkstra')).toEqual([seeded[3]?.id]);
    // LIKE's wildcards are searched for as characters, not as patterns.
    expect(await search('%')).toEqual([]);
    expect(await search('t_ring')).toEqual([]);
  });

  it.each([
    ['status=placed', (s: Seeded) => s.status === 'placed'],
    ['status=cancelled', (s: Seeded) => s.status === 'cancelled'],
    ['paymentStatus=authorized', (s: Seeded) => s.paymentStatus === 'authorized'],
    ['paymentStatus=refunded', (s: Seeded) => s.paymentStatus === 'refunded'],
    ['fulfillmentStatus=not_fulfilled', (s: Seeded) => s.fulfillmentStatus === 'not_fulfilled'],
    ['fulfillmentStatus=shipped', (s: Seeded) => s.fulfillmentStatus === 'shipped'],
    ['salesChannelId=CHANNEL', (s: Seeded) => s.channel !== 'sc_default'],
    ['salesChannelId=sc_default', (s: Seeded) => s.channel === 'sc_default'],
    ['createdFrom=2026-11-17T00:00:00Z', (s: Seeded) => s.createdAt >= '2026-11-17T00:00:00.000Z'],
    ['createdTo=2026-11-17T00:00:00Z', (s: Seeded) => s.createdAt < '2026-11-17T00:00:00.000Z'],
    [
      'createdFrom=2026-11-15T00:00:00Z&createdTo=2026-11-19T00:00:00Z',
      (s: Seeded) => s.createdAt >= '2026-11-15T00:00:00.000Z' && s.createdAt < '2026-11-19T00:00:00.000Z',
    ],
    ['minTotal=5000', (s: Seeded) => s.total >= 5000],
    ['maxTotal=1200', (s: Seeded) => s.total <= 1200],
    ['status=placed&paymentStatus=authorized&fulfillmentStatus=not_fulfilled', (s: Seeded) => s.id === seeded[0]?.id],
    // Several states at once (the dashboard's "to fulfil" backlog links here).
    ['paymentStatus=authorized,paid', (s: Seeded) => ['authorized', 'paid'].includes(s.paymentStatus)],
    [
      'status=placed&fulfillmentStatus=not_fulfilled,partially_fulfilled',
      (s: Seeded) => s.status === 'placed' && ['not_fulfilled', 'partially_fulfilled'].includes(s.fulfillmentStatus),
    ],
  ] as const)('filters %s', async (query, keep) => {
    const want = seeded
      .filter(keep)
      .sort(expected.newest)
      .map((s) => s.id);
    expect(want.length).toBeGreaterThan(0);
    expect(want.length).toBeLessThan(seeded.length);
    expect(await ids(`limit=100&${query.replace('CHANNEL', channel)}`)).toEqual(want);
  });

  it('refuses bad input with 400 naming the field', async () => {
    const page = (await list('limit=2&sort=total_desc')).json<{ nextCursor: string }>();
    const cases: [string, string][] = [
      ['cursor=nonsense', '/query/cursor'],
      [`cursor=${page.nextCursor}&sort=newest`, '/query/cursor'], // a cursor of another sort
      [`cursor=${Buffer.from('["newest","2026-02-31T00:00:00.000000Z","x"]').toString('base64url')}`, '/query/cursor'],
      [
        `cursor=${Buffer.from(`["newest","2026-02-31T00:00:00.000000Z","${seeded[0]?.id}"]`).toString('base64url')}`,
        '/query/cursor',
      ],
      [
        `cursor=${Buffer.from(`["total_desc","1e3","${seeded[0]?.id}"]`).toString('base64url')}&sort=total_desc`,
        '/query/cursor',
      ],
      ['sort=cheapest', '/query/sort'],
      ['status=lost', '/query/status'],
      ['status=placed,lost', '/query/status'],
      ['paymentStatus=paid,', '/query/paymentStatus'],
      ['createdFrom=yesterday', '/query/createdFrom'],
      ['createdFrom=2026-11-20T00:00:00Z&createdTo=2026-11-19T00:00:00Z', '/query/createdFrom'],
      ['minTotal=10&maxTotal=5', '/query/minTotal'],
    ];
    for (const [query, path] of cases) {
      const res = await list(query);
      expect(res.statusCode, query).toBe(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(
        res.json<{ errors: { path: string }[] }>().errors.map((e) => e.path),
        query,
      ).toContain(path);
    }
  });

  it('reads a page in one statement whatever its size (no per-row queries)', async () => {
    const small = await countStatements(() => list('limit=1&sort=total_desc&status=placed'));
    const large = await countStatements(() => list('limit=100&sort=total_desc'));
    expect(small.result.statusCode).toBe(200);
    expect(large.result.json<{ data: Row[] }>().data).toHaveLength(specs.length);
    expect(large.count).toBe(small.count);
    expect(large.sql.filter((s) => /from "order"/i.test(s))).toHaveLength(1);
    // Authentication (session lookup) plus the page: a budget, so an added per-request query is noticed.
    expect(large.count).toBeLessThanOrEqual(4);
  });
});
