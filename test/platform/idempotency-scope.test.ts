import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isUnguessableKey } from '../../src/platform/http/idempotency-key.js';
import { bearer, signUp } from '../identity/customers.helpers.js';
import { auth, staffSession } from '../identity/staff.helpers.js';
import { createTestApp, type TestApp } from '../support/app.js';

/**
 * A replay never hands one caller's response to another: two clients, the same Idempotency-Key, real storefront
 * routes. Before scoping, anonymous requests shared one pool and client B got client A's new cart id.
 */

let t: TestApp;
let pinnedKey: string;

beforeAll(async () => {
  t = await createTestApp();
  const owner = (await staffSession(t)).token;
  const channel = await t.app.inject({
    method: 'POST',
    url: '/v1/admin/sales-channels',
    headers: auth(owner),
    payload: { name: `App ${Date.now()}` },
  });
  const key = await t.app.inject({
    method: 'POST',
    url: '/v1/admin/api-keys',
    headers: auth(owner),
    payload: { name: 'app', kind: 'publishable', salesChannelId: channel.json<{ id: string }>().id },
  });
  pinnedKey = key.json<{ key: string }>().key;
});
afterAll(() => t.close());

const clientA = '198.51.100.10';
const clientB = '203.0.113.20';

function createCart(from: string, key: string, headers: Record<string, string> = {}) {
  return t.app.inject({
    method: 'POST',
    url: '/v1/store/carts',
    remoteAddress: from,
    headers: { 'idempotency-key': key, ...headers },
    payload: { currency: 'EUR' },
  });
}

const cartCount = async () =>
  Number(
    (
      await t.db.db
        .selectFrom('cart' as never)
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

describe('anonymous creation: the key must be unguessable', () => {
  it.each([['K1'], ['checkout-1'], ['aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'], ['abcdefghijklmnopqrstuvwxyz0123456789']])(
    'refuses %s with 400 IDEMPOTENCY_KEY_TOO_WEAK naming the header, from either client, and creates nothing',
    async (key) => {
      const before = await cartCount();
      for (const from of [clientA, clientB]) {
        const res = await createCart(from, key);
        expect(res.statusCode).toBe(400);
        expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(res.json()).toMatchObject({
          code: 'IDEMPOTENCY_KEY_TOO_WEAK',
          errors: [{ path: '/headers/idempotency-key' }],
        });
      }
      expect(await cartCount()).toBe(before);
    },
  );

  it("gives client B its own cart when it sends client A's key, and replays A's cart only to A", async () => {
    const key = randomUUID();
    const a = await createCart(clientA, key);
    expect(a.statusCode).toBe(201);
    const b = await createCart(clientB, key);
    expect(b.statusCode).toBe(201);
    expect(b.headers['idempotent-replayed']).toBeUndefined();
    expect(b.json().id).not.toBe(a.json().id);
    expect(b.body).not.toContain(a.json().id);
    const aAgain = await createCart(clientA, key);
    expect(aAgain.headers['idempotent-replayed']).toBe('true');
    expect(aAgain.json().id).toBe(a.json().id);
    const bAgain = await createCart(clientB, key);
    expect(bAgain.json().id).toBe(b.json().id);
  });

  it('keeps sales channels apart: the same key and address through another publishable key runs again', async () => {
    const key = randomBytes(16).toString('base64url');
    const plain = await createCart(clientA, key);
    const pinned = await createCart(clientA, key, { 'x-publishable-key': pinnedKey });
    expect([plain.statusCode, pinned.statusCode]).toEqual([201, 201]);
    expect(pinned.headers['idempotent-replayed']).toBeUndefined();
    expect(pinned.json().id).not.toBe(plain.json().id);
  });

  it('scopes signed-in customers to themselves: any key, never the other customer’s cart', async () => {
    const [ann, bob] = [await signUp(t), await signUp(t)];
    const a = await createCart(clientA, 'my-cart', bearer(ann.token));
    const b = await createCart(clientA, 'my-cart', bearer(bob.token));
    expect([a.statusCode, b.statusCode]).toEqual([201, 201]);
    expect(b.json().id).not.toBe(a.json().id);
    expect((await createCart(clientA, 'my-cart', bearer(ann.token))).json().id).toBe(a.json().id);
  });
});

describe('anonymous requests on a cart are scoped to that cart', () => {
  const setEmail = (cartId: string, from: string, email: string) =>
    t.app.inject({
      method: 'PATCH',
      url: `/v1/store/carts/${cartId}`,
      remoteAddress: from,
      headers: { 'idempotency-key': 'set-email' },
      payload: { email },
    });

  it('lets two guests use the same short key on their own carts, each getting only its own answer', async () => {
    const cartA = (await createCart(clientA, randomUUID())).json<{ id: string }>().id;
    const cartB = (await createCart(clientB, randomUUID())).json<{ id: string }>().id;
    const a = await setEmail(cartA, clientA, 'ann@example.com');
    const b = await setEmail(cartB, clientB, 'bob@example.com');
    expect([a.statusCode, b.statusCode]).toEqual([200, 200]);
    expect(b.headers['idempotent-replayed']).toBeUndefined();
    expect(b.json()).toMatchObject({ id: cartB, email: 'bob@example.com' });
    expect(b.body).not.toContain('ann@example.com');
    // Whoever holds the cart id may replay that cart's answers (it can read the cart anyway), from any address.
    const replay = await setEmail(cartA, clientB, 'ann@example.com');
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.json()).toMatchObject({ id: cartA });
  });
});

describe('isUnguessableKey', () => {
  it('accepts random keys: UUIDs, 16 random bytes as base64url or hex', () => {
    for (let i = 0; i < 2000; i++) {
      for (const key of [
        randomUUID(),
        randomUUID().toUpperCase(),
        randomBytes(16).toString('base64url'),
        randomBytes(16).toString('hex'),
        `cart-${randomUUID()}`,
      ]) {
        expect(isUnguessableKey(key), key).toBe(true);
      }
    }
  });

  it('refuses short, repeating and counting keys', () => {
    for (const key of [
      'K1',
      'create-secret-key-1',
      'k'.repeat(255),
      '12121212121212121212121212121212121212',
      '0123456789abcdef0123456789abcdef',
      'abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz',
      '00000000-0000-0000-0000-000000000000',
      'ZYXWVUTSRQPONMLKJIHGFEDCBA',
    ]) {
      expect(isUnguessableKey(key), key).toBe(false);
    }
  });
});
