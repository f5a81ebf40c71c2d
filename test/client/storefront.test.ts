import { type BackroomClient, BackroomError, createBackroomClient, paginate, paginatePages } from '@backroom/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ListeningApp, listenWithDemoShop, publishableKey } from './client.support.js';

/** The README's guest checkout with the client ("Typed client"), step by step, against a running server. */
let s: ListeningApp;
let shop: BackroomClient;
beforeAll(async () => {
  s = await listenWithDemoShop();
  shop = createBackroomClient({ baseUrl: s.baseUrl, publishableKey: await publishableKey(s.t) });
});
afterAll(async () => {
  await s?.close();
});

const ada = {
  firstName: 'Ada',
  lastName: 'Lovelace',
  line1: 'Unter den Linden 1',
  city: 'Berlin',
  postalCode: '10117',
  countryCode: 'DE',
};

describe('@backroom/client on the storefront', () => {
  it('runs a guest checkout with a publishable key, from product to guest lookup', async () => {
    const { data: product } = await shop.GET('/v1/store/products/{idOrHandle}', {
      params: { path: { idOrHandle: 'organic-cotton-t-shirt' }, query: { currency: 'EUR' } },
    });
    const variantId = product.variants[0]!.id;
    const { data: cart } = await shop.POST('/v1/store/carts', { body: { countryCode: 'DE' } });
    const path = { id: cart.id };
    const { data: withLine } = await shop.POST('/v1/store/carts/{id}/lines', {
      params: { path },
      body: { variantId, quantity: 2 },
    });
    expect(withLine.lines).toHaveLength(1);
    expect(withLine.totals.subtotal.currency).toBe('EUR');
    await shop.PATCH('/v1/store/carts/{id}', {
      params: { path },
      body: { email: 'ada@example.com', shippingAddress: ada },
    });
    const refusal = await shop
      .POST('/v1/store/carts/{id}/lines', { params: { path }, body: { variantId: 'var_unknown', quantity: 1 } })
      .catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(BackroomError);
    expect(refusal).toMatchObject({ status: 422, code: 'VARIANT_NOT_SELLABLE' });
    expect((refusal as BackroomError).fieldError('/body/variantId')).toBeTruthy();
    const { data: options } = await shop.GET('/v1/store/carts/{id}/shipping-options', { params: { path } });
    await shop.POST('/v1/store/carts/{id}/shipping-method', {
      params: { path },
      body: { optionId: options.data[0]!.id },
    });
    const { data: discounted } = await shop.POST('/v1/store/carts/{id}/promo-codes', {
      params: { path },
      body: { code: 'WELCOME10' },
    });
    expect(discounted.totals.discountTotal.amount).toBeGreaterThan(0);
    await shop.POST('/v1/store/carts/{id}/payment', { params: { path }, body: { provider: 'manual' } });
    const { data: ready } = await shop.GET('/v1/store/carts/{id}', { params: { path } });
    const { data: placed } = await shop.POST('/v1/store/carts/{id}/complete', { params: { path } });
    expect(placed.order).toMatchObject({ status: 'placed', total: ready.totals.total });

    // Completing again is idempotent per cart (each call has its own Idempotency-Key): the same order.
    const { data: again } = await shop.POST('/v1/store/carts/{id}/complete', { params: { path } });
    expect(again.order.id).toBe(placed.order.id);

    const { data: found } = await shop.POST('/v1/store/orders/lookup', {
      body: { number: placed.order.number, email: 'ada@example.com' },
    });
    expect(found.id).toBe(placed.order.id);
  });

  it('raises a 404 as BackroomError with the problem code and request id', async () => {
    const error = await shop
      .GET('/v1/store/products/{idOrHandle}', { params: { path: { idOrHandle: 'no-such-product' } } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackroomError);
    const e = error as BackroomError;
    expect(e).toMatchObject({ status: 404, code: 'NOT_FOUND', errors: [] });
    expect(e.requestId).toBe(e.response?.headers.get('x-request-id'));
    expect(e.requestId).toBeTruthy();
  });

  it('raises a 400 with the field errors the API named, and nothing changes', async () => {
    const { data: cart } = await shop.POST('/v1/store/carts', { body: { countryCode: 'DE' } });
    const error = await shop
      .POST('/v1/store/carts/{id}/lines', {
        params: { path: { id: cart.id } },
        // @ts-expect-error quantity is a number in the API document: the compiler refuses a string
        body: { variantId: 'var_nope', quantity: 'two' },
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackroomError);
    const e = error as BackroomError;
    expect(e.status).toBe(400);
    expect(e.code).toBe('VALIDATION_FAILED');
    expect(e.fieldError('/body/quantity')).toBeTruthy();
    const { data: unchanged } = await shop.GET('/v1/store/carts/{id}', { params: { path: { id: cart.id } } });
    expect(unchanged.lines).toEqual([]);
  });

  it('sends the publishable key: an unknown one is refused by the server', async () => {
    const stranger = createBackroomClient({ baseUrl: s.baseUrl, publishableKey: 'pk_unknown' });
    const error = await stranger.GET('/v1/store/products').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackroomError);
    expect(error).toMatchObject({ status: 401, code: 'INVALID_PUBLISHABLE_KEY' });
  });

  it('a customer signs up, logs in (the client keeps the token), reads the profile and logs out', async () => {
    const customer = createBackroomClient({ baseUrl: s.baseUrl });
    const credentials = { email: 'grace@example.com', password: 'a long and unusual passphrase 42' };
    await customer.POST('/v1/store/customers', { body: { ...credentials, firstName: 'Grace' } });
    const login = await customer.loginCustomer(credentials);
    expect(login.token).toMatch(/^sess_/);
    const { data: me } = await customer.GET('/v1/store/customers/me');
    expect(me).toMatchObject({ email: credentials.email, firstName: 'Grace' });
    await customer.logoutCustomer();
    await expect(customer.GET('/v1/store/customers/me')).rejects.toMatchObject({ status: 401 });
    // The ended session is refused too, by the server.
    customer.setSessionToken(login.token);
    await expect(customer.GET('/v1/store/customers/me')).rejects.toMatchObject({ status: 401 });
  });

  it('a wrong password is raised as BackroomError and no token is kept', async () => {
    const customer = createBackroomClient({ baseUrl: s.baseUrl });
    await expect(
      customer.loginCustomer({ email: 'nobody@example.com', password: 'not the password at all' }),
    ).rejects.toMatchObject({ status: 401, code: 'INVALID_CREDENTIALS' });
    await expect(customer.GET('/v1/store/customers/me')).rejects.toMatchObject({ status: 401 });
  });

  it('paginate walks every page of a cursor-paged list, in order, without repeats', async () => {
    const { data: all } = await shop.GET('/v1/store/products', { params: { query: { limit: 100 } } });
    expect(all.data.length).toBeGreaterThan(3);
    const pages: number[] = [];
    for await (const page of paginatePages(shop, '/v1/store/products', { params: { query: { limit: 2 } } })) {
      pages.push(page.data.length);
    }
    expect(pages.length).toBe(Math.ceil(all.data.length / 2));
    const ids: string[] = [];
    for await (const product of paginate(shop, '/v1/store/products', { params: { query: { limit: 2 } } })) {
      ids.push(product.id);
    }
    expect(ids).toEqual(all.data.map((p) => p.id));
  });
});
