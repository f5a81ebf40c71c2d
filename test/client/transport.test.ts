import { BackroomError, createBackroomClient } from '@backroom/client';
import { describe, expect, it } from 'vitest';

/**
 * The client's request rules, against a scripted `fetch` (no server): what it adds to each request and which
 * failures it repeats. The same behaviour against the real server is in retry.test.ts.
 */
type Step = Response | Error;

function scripted(steps: Step[]) {
  const sent: Request[] = [];
  const bodies: string[] = [];
  const fetch = async (request: Request) => {
    sent.push(request);
    bodies.push(await request.text());
    const step = steps.shift();
    if (!step) throw new Error('no more scripted answers');
    if (step instanceof Error) throw step;
    return step;
  };
  return { fetch, sent, bodies };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': status >= 400 ? 'application/problem+json' : 'application/json', ...headers },
  });
const problem = (status: number, code: string, headers: Record<string, string> = {}) =>
  json(status, { type: 'about:blank', title: code, status, code, requestId: `req-${status}` }, headers);
const cart = { id: 'cart_1' };
const fast = { retries: 3, baseDelayMs: 1, maxDelayMs: 5 };

describe('@backroom/client requests', () => {
  it('adds a random Idempotency-Key to each mutation and none to reads', async () => {
    const s = scripted([json(201, cart), json(201, cart), json(200, { data: [], nextCursor: null })]);
    const client = createBackroomClient({ baseUrl: 'http://shop.test', fetch: s.fetch });
    await client.POST('/v1/store/carts', { body: { currency: 'EUR' } });
    await client.POST('/v1/store/carts', { body: { currency: 'EUR' } });
    await client.GET('/v1/store/products');
    const [a, b, read] = s.sent.map((r) => r.headers.get('idempotency-key'));
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(b).not.toBe(a);
    expect(read).toBeNull();
  });

  it("keeps the caller's own Idempotency-Key", async () => {
    const s = scripted([json(201, cart)]);
    const client = createBackroomClient({ baseUrl: 'http://shop.test', fetch: s.fetch });
    await client.POST('/v1/store/carts', { body: {}, headers: { 'Idempotency-Key': 'order-form-7f3a' } });
    expect(s.sent[0]?.headers.get('idempotency-key')).toBe('order-form-7f3a');
  });

  it('sends the session token instead of the secret key once set, and the publishable key always', async () => {
    const s = scripted([json(200, {}), json(200, {}), json(200, {})]);
    const client = createBackroomClient({
      baseUrl: 'http://shop.test',
      fetch: s.fetch,
      secretKey: 'sk_server',
      publishableKey: 'pk_web',
    });
    await client.GET('/v1/store/customers/me');
    client.setSessionToken('sess_ada');
    await client.GET('/v1/store/customers/me');
    client.setSessionToken(undefined);
    await client.GET('/v1/store/customers/me');
    expect(s.sent.map((r) => r.headers.get('authorization'))).toEqual([
      'Bearer sk_server',
      'Bearer sess_ada',
      'Bearer sk_server',
    ]);
    expect(s.sent.every((r) => r.headers.get('x-publishable-key') === 'pk_web')).toBe(true);
  });

  it('asks getSessionToken before each request when no token was set', async () => {
    const s = scripted([json(200, {}), json(200, {})]);
    let stored: string | undefined = 'sess_one';
    const client = createBackroomClient({ baseUrl: 'http://shop.test', fetch: s.fetch, getSessionToken: () => stored });
    await client.GET('/v1/store/customers/me');
    stored = undefined;
    await client.GET('/v1/store/customers/me');
    expect(s.sent.map((r) => r.headers.get('authorization'))).toEqual(['Bearer sess_one', null]);
  });

  it('logs in without a stale token and keeps the new one', async () => {
    const s = scripted([json(201, { token: 'sess_new', expiresAt: '2027-01-01T00:00:00Z' }), json(200, {})]);
    const client = createBackroomClient({ baseUrl: 'http://shop.test', fetch: s.fetch, sessionToken: 'sess_old' });
    await client.loginCustomer({ email: 'ada@example.com', password: 'correct horse battery' });
    await client.GET('/v1/store/customers/me');
    expect(s.sent.map((r) => r.headers.get('authorization'))).toEqual([null, 'Bearer sess_new']);
  });

  it('repeats a mutation after a lost answer and a 409 in-progress with the same key and body', async () => {
    const s = scripted([
      new TypeError('fetch failed'),
      problem(409, 'IDEMPOTENCY_REQUEST_IN_PROGRESS', { 'retry-after': '0' }),
      json(200, cart),
    ]);
    const client = createBackroomClient({ baseUrl: 'http://shop.test', fetch: s.fetch, retries: fast });
    const { data } = await client.POST('/v1/store/carts/{id}/lines', {
      params: { path: { id: 'cart_1' } },
      body: { variantId: 'var_1', quantity: 1 },
    });
    expect(data).toEqual(cart);
    expect(s.sent).toHaveLength(3);
    expect(new Set(s.sent.map((r) => r.headers.get('idempotency-key'))).size).toBe(1);
    expect(new Set(s.bodies)).toEqual(new Set(['{"variantId":"var_1","quantity":1}']));
  });

  it('does not repeat an answer that is the command’s own: 4xx, 409 conflicts, 500', async () => {
    for (const answer of [problem(409, 'INSUFFICIENT_STOCK'), problem(422, 'CART_EMPTY'), problem(500, 'INTERNAL')]) {
      const s = scripted([answer]);
      const client = createBackroomClient({ baseUrl: 'http://shop.test', fetch: s.fetch, retries: fast });
      const error = await client.POST('/v1/store/carts', { body: {} }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(BackroomError);
      expect(s.sent).toHaveLength(1);
    }
  });

  it('gives up after the configured retries: a 503 is raised with its code, no answer as NETWORK_ERROR', async () => {
    const unavailable = scripted([
      problem(503, 'UNAVAILABLE'),
      problem(503, 'UNAVAILABLE'),
      problem(503, 'UNAVAILABLE'),
    ]);
    const a = createBackroomClient({
      baseUrl: 'http://shop.test',
      fetch: unavailable.fetch,
      retries: { ...fast, retries: 2 },
    });
    await expect(a.GET('/v1/store/products')).rejects.toMatchObject({ status: 503, code: 'UNAVAILABLE' });
    expect(unavailable.sent).toHaveLength(3);

    const down = scripted([new TypeError('fetch failed'), new TypeError('fetch failed')]);
    const b = createBackroomClient({
      baseUrl: 'http://shop.test',
      fetch: down.fetch,
      retries: { ...fast, retries: 1 },
    });
    const error = await b.GET('/v1/store/products').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackroomError);
    expect(error).toMatchObject({ status: 0, code: 'NETWORK_ERROR' });
    expect(down.sent).toHaveLength(2);
  });

  it('never repeats a mutation the server does not deduplicate (a secret shown once, a login)', async () => {
    const lost = scripted([new TypeError('fetch failed')]);
    const a = createBackroomClient({ baseUrl: 'http://shop.test', fetch: lost.fetch, retries: fast });
    const created = a.POST('/v1/admin/webhook-endpoints', {
      body: { url: 'https://erp.example.com', eventTypes: ['*'] },
    });
    await expect(created).rejects.toMatchObject({ code: 'NETWORK_ERROR' });
    expect(lost.sent).toHaveLength(1);

    const unavailable = scripted([problem(503, 'UNAVAILABLE')]);
    const b = createBackroomClient({ baseUrl: 'http://shop.test', fetch: unavailable.fetch, retries: fast });
    await expect(b.loginStaff({ email: 'ops@example.com', password: 'a long passphrase' })).rejects.toMatchObject({
      status: 503,
    });
    expect(unavailable.sent).toHaveLength(1);
  });

  it('retries: 0 sends once', async () => {
    const s = scripted([problem(503, 'UNAVAILABLE')]);
    const client = createBackroomClient({ baseUrl: 'http://shop.test', fetch: s.fetch, retries: 0 });
    await expect(client.GET('/v1/store/products')).rejects.toMatchObject({ status: 503 });
    expect(s.sent).toHaveLength(1);
  });

  it("stops waiting when the caller aborts, and throws the caller's AbortError unwrapped", async () => {
    const s = scripted([problem(503, 'UNAVAILABLE', { 'retry-after': '5' })]);
    const client = createBackroomClient({ baseUrl: 'http://shop.test', fetch: s.fetch, retries: { retries: 1 } });
    const controller = new AbortController();
    const call = client.GET('/v1/store/products', { signal: controller.signal });
    // Abort as soon as the first attempt's 503 has arrived (the client is then waiting before its retry).
    const deadline = Date.now() + 5000;
    while (s.sent.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 1));
    controller.abort();
    const error = await call.catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(BackroomError);
    expect((error as Error).name).toBe('AbortError');
    expect(s.sent).toHaveLength(1);
  });

  it('wraps an answer that is not a problem document (a proxy page) with HTTP_<status>', async () => {
    const s = scripted([new Response('<html>Bad gateway</html>', { status: 502, statusText: 'Bad Gateway' })]);
    const client = createBackroomClient({ baseUrl: 'http://shop.test', fetch: s.fetch });
    const error = await client.GET('/v1/store/products').catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 502, code: 'HTTP_502', title: 'Bad Gateway', errors: [] });
  });
});
