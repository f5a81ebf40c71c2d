import { type BackroomClient, createBackroomClient } from '@backroom/client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type FaultyProxy, type ListeningApp, listenWithDemoShop, startFaultyProxy } from './client.support.js';

/**
 * Safe retries against the real server, through a local proxy that fails chosen requests: a repeated mutation
 * carries the same Idempotency-Key, so the work happens once whether the first attempt never reached the server
 * or reached it and its answer was lost.
 */
let s: ListeningApp;
let proxy: FaultyProxy;
let shop: BackroomClient;
let variantId: string;
beforeAll(async () => {
  s = await listenWithDemoShop();
  proxy = await startFaultyProxy(s.baseUrl);
  shop = createBackroomClient({ baseUrl: proxy.baseUrl, retries: { retries: 3, baseDelayMs: 5, maxDelayMs: 50 } });
  const { data } = await shop.GET('/v1/store/products/{idOrHandle}', {
    params: { path: { idOrHandle: 'organic-cotton-t-shirt' } },
  });
  variantId = data.variants[0]!.id;
});
afterAll(async () => {
  await proxy?.close();
  await s?.close();
});
beforeEach(() => {
  proxy.seen.length = 0;
});

async function newCart(): Promise<string> {
  const { data } = await shop.POST('/v1/store/carts', { body: { countryCode: 'DE' } });
  proxy.seen.length = 0;
  return data.id;
}

const linesUrl = (cartId: string) => `/v1/store/carts/${cartId}/lines`;

describe('@backroom/client retries against the server', () => {
  it.each([
    ['a 503 before the server saw it', 'refuse-503', 'false'],
    ['a 503 after the server did the work', 'lose-as-503', 'true'],
    ['a dropped connection after the server did the work', 'lose-connection', 'true'],
  ] as const)('%s: repeated with the same key, the line is added once', async (_name, action, replayed) => {
    const cartId = await newCart();
    proxy.fail('POST', linesUrl(cartId), action);
    const { data, response } = await shop.POST('/v1/store/carts/{id}/lines', {
      params: { path: { id: cartId } },
      body: { variantId, quantity: 1 },
    });
    expect(proxy.seen.map((r) => r.action)).toEqual([action, 'forward']);
    const [first, second] = proxy.seen;
    expect(first?.idempotencyKey).toBeTruthy();
    expect(second?.idempotencyKey).toBe(first?.idempotencyKey);
    // The second attempt ran the command only when the first never reached the server; otherwise it is a replay.
    expect(response.headers.get('idempotent-replayed') ?? 'false').toBe(replayed);
    expect(data.lines.map((l) => l.quantity)).toEqual([1]);
    const { data: cart } = await shop.GET('/v1/store/carts/{id}', { params: { path: { id: cartId } } });
    expect(cart.lines.map((l) => l.quantity)).toEqual([1]);
  });

  it('repeats a read answered 503', async () => {
    proxy.fail('GET', '/v1/store/products', 'refuse-503');
    const { data } = await shop.GET('/v1/store/products');
    expect(data.data.length).toBeGreaterThan(0);
    expect(proxy.seen.map((r) => r.action)).toEqual(['refuse-503', 'forward']);
  });

  it('a mutation the server refused (4xx) is not repeated', async () => {
    const cartId = await newCart();
    await expect(
      shop.POST('/v1/store/carts/{id}/lines', {
        params: { path: { id: cartId } },
        body: { variantId: 'var_00000000000000000000000000', quantity: 1 },
      }),
    ).rejects.toMatchObject({ status: 422, code: 'VARIANT_NOT_SELLABLE' });
    expect(proxy.seen).toHaveLength(1);
  });
});
