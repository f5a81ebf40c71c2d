import { connect } from 'node:net';
import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeTotals } from '../../src/modules/checkout/totals.js';
import { MAX_AMOUNT } from '../../src/platform/money.js';
import { newCart, product, type Shop, seedShop, stock } from '../checkout/carts.helpers.js';
import { auth, staffSession } from '../identity/staff.helpers.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { rowCount } from '../support/probes.js';

/**
 * Issue 13 (items 2 and 5): no input answers 500, and every answer is problem+json. Every reproduction of the issue,
 * over HTTP: status, media type, code and the field named — and that nothing was written.
 */

let t: TestApp;
let admin: Record<string, string>;
let shop: Shop;
let variantId: string;

const send = (opts: InjectOptions) => t.app.inject(opts);

/** Asserts a problem document with `status`, `code` and (when given) the field path of its first error. */
function problem(res: Awaited<ReturnType<typeof send>>, status: number, code: string, path?: string) {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  const body = res.json<{ code: string; status: number; errors?: { path: string; message: string }[] }>();
  expect(body).toMatchObject({ code, status });
  if (path) expect(body.errors?.[0]?.path).toBe(path);
  return body;
}

beforeAll(async () => {
  t = await createTestApp();
  admin = auth((await staffSession(t)).token);
  shop = await seedShop(t);
  variantId = (await product(t)).variantId;
  await stock(t, variantId, shop.locationId, 10);
});
afterAll(() => t?.close());

describe('NUL, lone surrogates and bytes that are not UTF-8 are 400 naming the field, before any SQL', () => {
  it('refuses U+0000 in a path id, a query value and JSON strings, writing nothing', async () => {
    problem(
      await send({ method: 'GET', url: '/v1/store/products/a%00b' }),
      400,
      'VALIDATION_FAILED',
      '/params/idOrHandle',
    );
    problem(await send({ method: 'GET', url: '/v1/store/products?q=a%00b' }), 400, 'VALIDATION_FAILED', '/query/q');
    problem(
      await send({ method: 'GET', url: '/v1/admin/orders/nul%00l', headers: admin }),
      400,
      'VALIDATION_FAILED',
      '/params/id',
    );

    const customers = await rowCount(t.db.db, 'customer');
    problem(
      await send({
        method: 'POST',
        url: '/v1/store/customers',
        payload: { email: 'nul@shop.example', password: 'amber-quarry-nimbus-77', firstName: 'A\u0000B' },
      }),
      400,
      'VALIDATION_FAILED',
      '/body/firstName',
    );
    expect(await rowCount(t.db.db, 'customer')).toBe(customers);

    const channels = await rowCount(t.db.db, 'sales_channel');
    problem(
      await send({ method: 'POST', url: '/v1/admin/sales-channels', headers: admin, payload: { name: '\u0000' } }),
      400,
      'VALIDATION_FAILED',
      '/body/name',
    );
    expect(await rowCount(t.db.db, 'sales_channel')).toBe(channels);

    const cart = await newCart(t, { regionId: shop.regionId });
    const patch = (payload: Record<string, unknown>) =>
      send({ method: 'PATCH', url: `/v1/store/carts/${cart.id}`, payload });
    problem(await patch({ email: 'a\u0000b@shop.example' }), 400, 'VALIDATION_FAILED', '/body/email');
    problem(
      await patch({
        shippingAddress: {
          firstName: 'Ada',
          lastName: 'Lovelace',
          line1: 'Unter den Linden\u0000 1',
          city: 'Berlin',
          postalCode: '10117',
          countryCode: 'DE',
        },
      }),
      400,
      'VALIDATION_FAILED',
      '/body/shippingAddress/line1',
    );
    const after = (await send({ method: 'GET', url: `/v1/store/carts/${cart.id}` })).json();
    expect(after).toMatchObject({ email: null, shippingAddress: null });
  });

  it('refuses a lone surrogate in a JSON string and a body whose bytes are not UTF-8', async () => {
    const channels = await rowCount(t.db.db, 'sales_channel');
    const json = { ...admin, 'content-type': 'application/json' };
    const post = (payload: string | Buffer) =>
      send({ method: 'POST', url: '/v1/admin/sales-channels', headers: json, payload });
    problem(await post('{"name":"Web \\ud800"}'), 400, 'VALIDATION_FAILED', '/body/name');
    problem(await post('{"name":"Web \\udc00 shop"}'), 400, 'VALIDATION_FAILED', '/body/name');
    problem(
      await post(Buffer.concat([Buffer.from('{"name":"Caf'), Buffer.from([0xe9]), Buffer.from('"}')])),
      400,
      'VALIDATION_FAILED',
      '/body',
    );
    expect(await rowCount(t.db.db, 'sales_channel')).toBe(channels);
    // A well-formed pair (an emoji) is fine.
    const ok = await post('{"name":"Web \\ud83d\\ude00"}');
    expect(ok.statusCode, ok.body).toBe(201);
  });

  it('refuses percent-encoded bytes that are not UTF-8 in the query and the path', async () => {
    problem(await send({ method: 'GET', url: '/v1/store/products?q=a%FFb' }), 400, 'VALIDATION_FAILED', '/query/q');
    problem(await send({ method: 'GET', url: '/v1/store/products?q=%ED%A0%80' }), 400, 'VALIDATION_FAILED', '/query/q');
    // The router refuses the path before any route (and its parameter names) is known.
    problem(await send({ method: 'GET', url: '/v1/store/products/a%ED%A0%80b' }), 400, 'BAD_REQUEST');
    // A malformed escape is text the parser keeps as sent; only bad bytes are refused, in names too.
    problem(
      await send({ method: 'GET', url: '/v1/store/products?%zz%FF=1' }),
      400,
      'VALIDATION_FAILED',
      '/query/%zz%FF',
    );
    expect((await send({ method: 'GET', url: '/v1/store/products?q=%zz' })).statusCode).toBe(200);
    const fine = await send({ method: 'GET', url: '/v1/store/products?q=caf%C3%A9' });
    expect(fine.statusCode, fine.body).toBe(200);
  });

  it('refuses before idempotency storage: the key is not consumed', async () => {
    const key = `nul-${Date.now()}`;
    const headers = { ...admin, 'idempotency-key': key };
    problem(
      await send({ method: 'POST', url: '/v1/admin/sales-channels', headers, payload: { name: 'a\u0000' } }),
      400,
      'VALIDATION_FAILED',
      '/body/name',
    );
    const stored = await t.db.db.selectFrom('idempotency_key').selectAll().execute();
    expect(JSON.stringify(stored)).not.toContain(key);
  });
});

describe('integers are bounded and bodies keep their JSON types', () => {
  it('answers 422 VALUE_OUT_OF_RANGE naming the field for integers past the safe range (1e20 and 1e21 alike)', async () => {
    for (const v of ['1e20', '1e21', '99999999999999999999999']) {
      problem(
        await send({ method: 'GET', url: `/v1/store/products?currency=EUR&minPrice=${v}` }),
        422,
        'VALUE_OUT_OF_RANGE',
        '/query/minPrice',
      );
    }
    problem(
      await send({ method: 'GET', url: '/v1/admin/orders?minTotal=1e30', headers: admin }),
      422,
      'VALUE_OUT_OF_RANGE',
      '/query/minTotal',
    );
  });

  it('refuses a string where the body wants an integer, and leaves the cart alone', async () => {
    const cart = await newCart(t, { regionId: shop.regionId });
    problem(
      await send({ method: 'POST', url: `/v1/store/carts/${cart.id}/lines`, payload: { variantId, quantity: '2' } }),
      400,
      'VALIDATION_FAILED',
      '/body/quantity',
    );
    expect((await send({ method: 'GET', url: `/v1/store/carts/${cart.id}` })).json()).toMatchObject({ lines: [] });
    // The query string still coerces: it is text by nature.
    expect((await send({ method: 'GET', url: '/v1/store/products?limit=2' })).statusCode).toBe(200);
  });

  it('refuses a body of null (400) and a JSON body in another charset (415)', async () => {
    const carts = await rowCount(t.db.db, 'cart');
    const post = (contentType: string, payload: string) =>
      send({ method: 'POST', url: '/v1/store/carts', headers: { 'content-type': contentType }, payload });
    problem(await post('application/json', 'null'), 400, 'VALIDATION_FAILED', '/body');
    problem(await post('application/json; charset=latin1', '{}'), 415, 'UNSUPPORTED_MEDIA_TYPE');
    problem(await post('application/json; charset="utf-16"', '{}'), 415, 'UNSUPPORTED_MEDIA_TYPE');
    expect(await rowCount(t.db.db, 'cart')).toBe(carts);
    expect((await post('application/json; charset=UTF-8', '{}')).statusCode).toBe(201);
  });
});

describe('money amounts are at most what the totals engine can add up', () => {
  it('prices a full cart of the largest amount, taxed at 100 % with shipping, without overflow', () => {
    const lines = Array.from({ length: 100 }, (_, i) => ({
      lineId: `l${i}`,
      unitPrice: MAX_AMOUNT,
      quantity: 999,
      taxRate: 100_000,
    }));
    const totals = computeTotals({
      currency: 'EUR',
      taxInclusive: false,
      lines,
      shipping: { amount: MAX_AMOUNT, taxRate: 100_000 },
    });
    expect(totals.total).toBe(2 * (100 * 999 + 1) * MAX_AMOUNT);
  });

  it('refuses larger amounts at write: bulk prices, product prices, shipping rates, promotion amounts', async () => {
    const priceOf = async () =>
      (
        await t.db.db
          .selectFrom('variant_price')
          .select('amount')
          .where('variant_id', '=', variantId)
          .where('currency_code', '=', 'EUR')
          .executeTakeFirstOrThrow()
      ).amount;
    const before = await priceOf();
    const bulk = (amount: number) =>
      send({
        method: 'POST',
        url: '/v1/admin/prices/bulk',
        headers: admin,
        payload: { prices: [{ variantId, currency: 'EUR', amount }] },
      });
    problem(await bulk(9_007_199_254_740_991), 400, 'VALIDATION_FAILED', '/body/prices/0/amount');
    problem(await bulk(MAX_AMOUNT + 1), 400, 'VALIDATION_FAILED', '/body/prices/0/amount');
    expect(Number(await priceOf())).toBe(Number(before));

    const products = await rowCount(t.db.db, 'product');
    problem(
      await send({
        method: 'POST',
        url: '/v1/admin/products',
        headers: admin,
        payload: {
          title: 'Too dear',
          handle: `too-dear-${Date.now()}`,
          variants: [{ sku: `DEAR-${Date.now()}`, prices: [{ currency: 'EUR', amount: MAX_AMOUNT + 1 }] }],
        },
      }),
      400,
      'VALIDATION_FAILED',
      '/body/variants/0/prices/0/amount',
    );
    expect(await rowCount(t.db.db, 'product')).toBe(products);

    problem(
      await send({
        method: 'POST',
        url: `/v1/admin/regions/${shop.regionId}/shipping-options`,
        headers: admin,
        payload: { name: 'Gold', stockLocationId: shop.locationId, price: { kind: 'flat', amount: MAX_AMOUNT + 1 } },
      }),
      400,
      'VALIDATION_FAILED',
    );
    const promotions = await rowCount(t.db.db, 'promotion');
    problem(
      await send({
        method: 'POST',
        url: '/v1/admin/promotions',
        headers: admin,
        payload: { name: 'Huge', kind: 'fixed', value: MAX_AMOUNT + 1, currency: 'EUR' },
      }),
      400,
      'VALIDATION_FAILED',
      '/body/value',
    );
    expect(await rowCount(t.db.db, 'promotion')).toBe(promotions);
  });

  it('documents the maximum on every money amount a write accepts (captures and refunds included)', async () => {
    const doc = (await send({ method: 'GET', url: '/openapi.json' })).json<{
      paths: Record<string, Record<string, { requestBody?: unknown }>>;
    }>();
    const amounts: { where: string; maximum: unknown }[] = [];
    const walk = (node: unknown, where: string) => {
      if (!node || typeof node !== 'object') return;
      for (const [k, v] of Object.entries(node)) {
        if (k === 'amount' && v && typeof v === 'object' && (v as { type?: string }).type === 'integer') {
          amounts.push({ where, maximum: (v as { maximum?: number }).maximum });
        }
        walk(v, where);
      }
    };
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) walk(op.requestBody, `${method.toUpperCase()} ${path}`);
    }
    const where = amounts.map((a) => a.where);
    expect(where).toEqual(expect.arrayContaining(['POST /v1/admin/prices/bulk', 'POST /v1/admin/orders/{id}/refunds']));
    expect(amounts.filter((a) => a.maximum !== MAX_AMOUNT)).toEqual([]);
  });
});

describe('every answer is problem+json', () => {
  it('refuses a garbage cursor on admin lists with 400 naming /query/cursor', async () => {
    for (const url of ['/v1/admin/orders', '/v1/admin/audit-log', '/v1/admin/products', '/v1/admin/promotions']) {
      problem(
        await send({ method: 'GET', url: `${url}?cursor=garbage`, headers: admin }),
        400,
        'VALIDATION_FAILED',
        '/query/cursor',
      );
    }
    // A real cursor still pages.
    const first = await send({ method: 'GET', url: '/v1/admin/audit-log?limit=1', headers: admin });
    const next = first.json<{ nextCursor: string }>().nextCursor;
    expect(next).toMatch(/^aud_/);
    const second = await send({ method: 'GET', url: `/v1/admin/audit-log?limit=1&cursor=${next}`, headers: admin });
    expect(second.statusCode, second.body).toBe(200);
  });

  it('answers what Node refuses itself (431 URL or headers too large, 400 malformed) as problem+json', async () => {
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = t.app.server.address() as { port: number };
    const raw = (text: string) =>
      new Promise<string>((resolve, reject) => {
        const socket = connect(port, '127.0.0.1', () => socket.write(text));
        let out = '';
        socket.on('data', (d) => {
          out += d.toString('utf8');
        });
        socket.on('error', reject);
        socket.on('close', () => resolve(out));
      });
    const parse = (answer: string) => {
      const [head = '', body = ''] = answer.split('\r\n\r\n');
      return { statusLine: head.split('\r\n')[0], head, body: JSON.parse(body) as Record<string, unknown> };
    };
    const longUrl = parse(await raw(`GET /v1/store/products?q=${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`));
    expect(longUrl.statusLine).toBe('HTTP/1.1 431 Request Header Fields Too Large');
    expect(longUrl.head).toMatch(/content-type: application\/problem\+json/i);
    expect(longUrl.body).toMatchObject({ status: 431, code: 'REQUEST_HEADER_FIELDS_TOO_LARGE' });
    expect(longUrl.body.requestId).toEqual(expect.any(String));

    const bigHeader = parse(await raw(`GET /health/live HTTP/1.1\r\nHost: x\r\nx-big: ${'b'.repeat(70_000)}\r\n\r\n`));
    expect(bigHeader.body).toMatchObject({ status: 431, code: 'REQUEST_HEADER_FIELDS_TOO_LARGE' });

    const garbage = parse(await raw('NOT HTTP AT ALL\r\n\r\n'));
    expect(garbage.statusLine).toMatch(/^HTTP\/1.1 400 /);
    expect(garbage.body).toMatchObject({ status: 400, code: 'BAD_REQUEST' });
  });

  it('documents the CSV export as text/csv', async () => {
    const doc = (await send({ method: 'GET', url: '/openapi.json' })).json<{
      paths: Record<string, { get: { responses: Record<string, { content: Record<string, unknown> }> } }>;
    }>();
    const content = doc.paths['/v1/admin/exports/products.csv']?.get.responses['200']?.content ?? {};
    expect(Object.keys(content)).toEqual(['text/csv']);
  });

  it('refuses a CSV import whose bytes are not UTF-8', async () => {
    const jobs = await rowCount(t.db.db, 'import_job');
    const csv = Buffer.concat([Buffer.from('handle,title\ncafe,Caf'), Buffer.from([0xe9]), Buffer.from('\n')]);
    problem(
      await send({
        method: 'POST',
        url: '/v1/admin/imports',
        headers: { ...admin, 'content-type': 'text/csv' },
        payload: csv,
      }),
      400,
      'VALIDATION_FAILED',
      '/body',
    );
    expect(await rowCount(t.db.db, 'import_job')).toBe(jobs);
  });
});
