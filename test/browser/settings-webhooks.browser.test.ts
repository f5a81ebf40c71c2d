import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ownerSession, signInPage } from './support/auth.js';
import { describeBrowser, newPage } from './support/browser.js';
import { checkPage } from './support/checks.js';
import { useBrowserSuite } from './support/suite.js';

interface Received {
  type: string | undefined;
  status: number;
}

/**
 * Webhooks in the admin app: an endpoint created in the browser (secret shown once) receives a test ping on a local
 * receiver; the receiver answers 500 at first, the failed delivery shows its answer on the page and is redelivered
 * from the page, and then succeeds.
 */
describeBrowser('admin webhooks', () => {
  const s = useBrowserSuite({ env: { WEBHOOKS_ALLOW_PRIVATE_URLS: 'true' } });
  let receiver: Server;
  let receiverUrl: string;
  const received: Received[] = [];
  let answer = 500;

  beforeAll(async () => {
    receiver = createServer((req: IncomingMessage, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        let type: string | undefined;
        try {
          type = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { type?: string }).type;
        } catch {
          type = undefined;
        }
        const status = answer;
        received.push({ type, status });
        res.writeHead(status, { 'content-type': 'text/plain' });
        res.end(status === 500 ? 'receiver is down for maintenance' : 'ok');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => receiver?.close(() => resolve()));
  });

  it('creates an endpoint, sends a test ping that fails, redelivers it from the page and it succeeds', async () => {
    const { token } = await ownerSession(s.server);
    const page = await newPage(s.browser);
    try {
      await signInPage(page, s.server, token, '/admin/settings/webhooks');
      await page.getByRole('heading', { name: 'Webhooks', level: 1 }).waitFor();
      await page.getByRole('button', { name: 'Add endpoint' }).click();
      const dialog = page.getByRole('dialog', { name: 'Add endpoint' });
      await dialog.getByLabel('URL').fill(receiverUrl);
      await dialog.getByLabel('Description').fill('Local receiver');
      await dialog.getByRole('checkbox').first().check();
      await dialog.getByRole('button', { name: 'Add endpoint' }).click();

      // The secret is shown once, in its own dialog.
      const secretDialog = page.getByRole('dialog', { name: 'Endpoint added' });
      await secretDialog.waitFor();
      expect(await secretDialog.getByTestId('webhook-secret').textContent()).toMatch(/^whsec_/);
      await secretDialog.getByRole('button', { name: 'Done' }).click();

      const endpoint = page.getByTestId('webhook-endpoint').filter({ hasText: receiverUrl });
      await endpoint.waitFor();
      await endpoint.getByRole('button', { name: 'Send test event' }).click();

      // The receiver answers 500: the delivery shows the failure and the receiver's answer.
      await expect.poll(() => received.length, { timeout: 30_000 }).toBeGreaterThanOrEqual(1);
      expect(received[0]).toEqual({ type: 'ping', status: 500 });
      const deliveries = page.getByTestId('webhook-deliveries');
      const row = deliveries.getByTestId('webhook-delivery').filter({ hasText: 'ping' }).first();
      await expect.poll(() => row.textContent(), { timeout: 30_000 }).toContain('HTTP 500');
      await row.getByRole('button', { name: 'Details' }).click();
      const details = page.getByRole('dialog', { name: 'Delivery' });
      await expect
        .poll(() => details.getByTestId('delivery-attempt').first().textContent(), { timeout: 10_000 })
        .toContain('receiver is down for maintenance');
      await checkPage(page, 'settings-webhooks-delivery');
      await details.getByRole('button', { name: 'Close' }).click();

      // The receiver is back; the delivery is sent again from the page and succeeds.
      answer = 200;
      const redelivered = page.waitForResponse(
        (r) => r.url().includes('/redeliver') && r.request().method() === 'POST' && r.status() === 202,
      );
      await row.getByRole('button', { name: 'Redeliver' }).click();
      await redelivered;
      await expect
        .poll(() => received.some((r) => r.type === 'ping' && r.status === 200), { timeout: 30_000 })
        .toBe(true);
      await expect.poll(() => row.textContent(), { timeout: 30_000 }).toContain('Delivered');
      await expect.poll(() => row.textContent()).toContain('HTTP 200');
      await expect.poll(() => endpoint.textContent(), { timeout: 15_000 }).toContain('Pending: 0');
      expect(await endpoint.textContent()).toContain('Enabled');

      await checkPage(page, 'settings-webhooks', {
        ready: (p) => p.getByRole('heading', { name: 'Deliveries' }).waitFor(),
      });
    } finally {
      await page.close();
    }
  });

  it('highlights a disabled endpoint and can enable it again', async () => {
    const { token } = await ownerSession(s.server);
    const api = s.server.api(token);
    const url = `${receiverUrl}/disabled-${Date.now().toString(36)}`;
    const { data: types } = await api.GET('/v1/admin/webhook-event-types');
    const eventType = types.data.find((t) => t.type !== 'ping')?.type ?? 'order.created';
    await api.POST('/v1/admin/webhook-endpoints', {
      body: { url, eventTypes: [eventType], enabled: false },
      headers: { 'Idempotency-Key': crypto.randomUUID() },
    });
    const page = await newPage(s.browser);
    try {
      await signInPage(page, s.server, token, '/admin/settings/webhooks');
      const endpoint = page.getByTestId('webhook-endpoint').filter({ hasText: url });
      await endpoint.waitFor();
      expect(await endpoint.textContent()).toContain('Disabled');
      expect(await endpoint.getAttribute('class')).toContain('border-red-300');
      await endpoint.getByRole('button', { name: 'Enable' }).click();
      await expect.poll(() => endpoint.textContent(), { timeout: 10_000 }).toContain('Enabled');
    } finally {
      await page.close();
    }
  });
});
