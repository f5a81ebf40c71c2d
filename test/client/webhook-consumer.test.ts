import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type BackroomClient, createBackroomClient, verifyWebhook, WebhookVerifyError } from '@backroom/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWebhookWorker, type WebhookWorker } from '../../src/modules/webhooks/index.js';
import { createSecretBox } from '../../src/platform/crypto/secret-box.js';
import { webhooksDeps } from '../../src/wiring.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { secretKey } from './client.support.js';

/**
 * A merchant's system as the README shows it: it subscribes with the client, and checks every delivery of our
 * outbound webhooks with `verifyWebhook` — the endpoint's secret as the API showed it once, the raw body.
 */
interface Received {
  body: string;
  headers: IncomingHttpHeaders;
}

let t: TestApp;
let admin: BackroomClient;
let worker: WebhookWorker;
let receiver: Server;
let receiverUrl: string;
const received: Received[] = [];

beforeAll(async () => {
  const secretBox = createSecretBox(randomBytes(32));
  t = await createTestApp({
    env: { WEBHOOKS_ALLOW_PRIVATE_URLS: 'true', WEBHOOK_POLL_INTERVAL_MS: '20' },
    secretBox,
  });
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = t.app.server.address() as AddressInfo;
  admin = createBackroomClient({
    baseUrl: `http://127.0.0.1:${port}`,
    secretKey: await secretKey(t, ['webhooks:manage', 'catalog:read', 'catalog:write']),
  });
  receiver = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    received.push({ body: Buffer.concat(chunks).toString('utf8'), headers: req.headers });
    res.writeHead(204).end();
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
  worker = startWebhookWorker(webhooksDeps(t.config, { db: t.db.db, secretBox, logger: t.logs.logger() }));
});
afterAll(async () => {
  await worker?.stop();
  await new Promise<void>((resolve) => (receiver ? receiver.close(() => resolve()) : resolve()));
  await t?.close();
});

async function delivery(type: string): Promise<Received> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const found = received.find((r) => (JSON.parse(r.body) as { type: string }).type === type);
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no ${type} delivery within 20 s (got ${received.length})`);
    worker.nudge();
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('a webhook consumer with @backroom/client', () => {
  it('subscribes, receives product.created, and verifies it with the secret shown once', async () => {
    const { data: endpoint } = await admin.POST('/v1/admin/webhook-endpoints', {
      body: { url: receiverUrl, eventTypes: ['product.created'], description: 'ERP' },
    });
    expect(endpoint.secret).toMatch(/^whsec_/);
    const { data: product } = await admin.POST('/v1/admin/products', { body: { title: 'Wool Socks' } });

    const { body, headers } = await delivery('product.created');
    const message = verifyWebhook(body, headers, endpoint.secret);
    expect(message.type).toBe('product.created');
    if (message.type !== 'product.created' || 'deleted' in message.data) throw new Error('expected the product');
    expect(message.data).toMatchObject({ id: product.id, title: 'Wool Socks' });
    expect(message.sequence).toBeGreaterThan(0);

    // The same bytes with one change, or checked with another endpoint's secret, are refused.
    expect(() => verifyWebhook(body.replace('Wool Socks', 'Wool Sacks'), headers, endpoint.secret)).toThrow(
      WebhookVerifyError,
    );
    const { data: other } = await admin.POST('/v1/admin/webhook-endpoints', {
      body: { url: receiverUrl, eventTypes: ['product.deleted'] },
    });
    expect(() => verifyWebhook(body, headers, other.secret)).toThrow(WebhookVerifyError);
  });

  it('the test ping verifies too', async () => {
    const { data: endpoint } = await admin.POST('/v1/admin/webhook-endpoints', {
      body: { url: receiverUrl, eventTypes: ['inventory.low_stock'] },
    });
    await admin.POST('/v1/admin/webhook-endpoints/{id}/test', { params: { path: { id: endpoint.id } } });
    const { body, headers } = await delivery('ping');
    expect(verifyWebhook(body, headers, endpoint.secret).type).toBe('ping');
  });
});
