import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { address } from '../checkout/carts.helpers.js';
import { type ChildServer, spawnScript } from '../support/fixtures/server-process.js';

/**
 * `BACKROOM_FAKE_GATEWAYS=1 npm start`: the shop runs offline with local Stripe and PayPal, and a developer can walk
 * a Stripe checkout end to end — the real `serve` command on a new embedded database with its demo data.
 */
describe('serve with BACKROOM_FAKE_GATEWAYS=1', { timeout: 180_000 }, () => {
  let server: ChildServer;
  let dir: string;
  let base: string;
  let stripeUrl: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'backroom-fakes-'));
    const port = await freePort();
    server = spawnScript(['src/main.ts', 'serve'], {
      BACKROOM_DATA_DIR: join(dir, 'data'),
      BACKROOM_FAKE_GATEWAYS: '1',
      PORT: String(port),
      LOG_LEVEL: 'info',
    });
    const started = await server.waitFor((l) => l.msg === 'fake payment gateways started', 120_000);
    stripeUrl = started.stripe as string;
    await server.waitFor((l) => typeof l.msg === 'string' && l.msg.startsWith('Backroom is up'), 120_000);
    base = `http://127.0.0.1:${port}`;
  }, 180_000);
  afterAll(async () => {
    server?.child.kill('SIGTERM');
    await server?.exited;
    rmSync(dir, { recursive: true, force: true });
  });

  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(base + path, {
      method,
      headers: body ? { 'content-type': 'application/json' } : {},
      body: body ? JSON.stringify(body) : null,
    });
    // biome-ignore lint/suspicious/noExplicitAny: the walkthrough reads nested JSON fields like a storefront would
    return { status: res.status, json: (await res.json()) as Record<string, any> };
  };

  it('walks a Stripe checkout offline: client secret, Stripe.js confirm at the fake, order placed, webhooks in', async () => {
    const product = await call('GET', '/v1/store/products/organic-cotton-t-shirt?currency=EUR');
    const variantId = product.json.variants[0].id as string;
    const cart = (await call('POST', '/v1/store/carts', { countryCode: 'DE' })).json.id as string;
    expect((await call('POST', `/v1/store/carts/${cart}/lines`, { variantId, quantity: 1 })).status).toBe(200);
    const patched = await call('PATCH', `/v1/store/carts/${cart}`, {
      email: 'ada@example.com',
      shippingAddress: address,
    });
    expect(patched.status).toBe(200);
    const options = await call('GET', `/v1/store/carts/${cart}/shipping-options`);
    await call('POST', `/v1/store/carts/${cart}/shipping-method`, { optionId: options.json.data[0].id });
    const pay = await call('POST', `/v1/store/carts/${cart}/payment`, { provider: 'stripe' });
    expect(pay.status).toBe(200);
    const secret = pay.json.payment.clientData.clientSecret as string;
    expect(pay.json.payment.clientData.publishableKey).toBe('pk_test_backroom');

    const confirm = await fetch(`${stripeUrl}/v1/payment_intents/${secret.split('_secret_')[0]}/confirm`, {
      method: 'POST',
      headers: { authorization: 'Bearer pk_test_backroom', 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ payment_method: 'pm_card_visa', client_secret: secret }).toString(),
    });
    expect(confirm.status).toBe(200);
    const done = await call('POST', `/v1/store/carts/${cart}/complete`);
    expect(done.status).toBe(200);
    expect(done.json.order.status).toBe('placed');
    expect(done.json.payment).toMatchObject({ provider: 'stripe', status: 'authorized' });
    // The fake sent its signed webhooks to this server, which verified and accepted them (200).
    const hook = await server.waitFor(
      (l) => l.msg === 'incoming request' && (l.req as { url?: string } | undefined)?.url === '/v1/webhooks/stripe',
      30_000,
    );
    const answered = await server.waitFor(
      (l) => l.msg === 'request completed' && l.requestId === hook.requestId,
      30_000,
    );
    expect((answered.res as { statusCode?: number }).statusCode).toBe(200);
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const bound = srv.address();
      const port = typeof bound === 'object' && bound ? bound.port : 0;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}
