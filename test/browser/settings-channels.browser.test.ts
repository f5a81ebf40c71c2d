import type { Page } from 'playwright-core';
import { beforeAll, expect, it } from 'vitest';
import { ownerSession, type StaffSession, signInPage } from './support/auth.js';
import { describeBrowser, newPage } from './support/browser.js';
import { checkPage } from './support/checks.js';
import { settled } from './support/settled.js';
import { useBrowserSuite } from './support/suite.js';

/**
 * Channels & API keys: a sales channel created in the browser, a publishable key pinned to it (the storefront API then
 * browses that channel), and a secret key with two permissions — its value shown once (not after a reload), it works
 * within its permissions and is refused outside them, and once revoked it is refused altogether.
 */
describeBrowser('sales channels and API keys', () => {
  const s = useBrowserSuite();
  let owner: StaffSession;
  const stamp = String(Date.now()).slice(-6);
  const channel = `Wholesale ${stamp}`;

  beforeAll(async () => {
    owner = await ownerSession(s.server);
  }, 120_000);

  async function status(path: string, headers: Record<string, string>) {
    const res = await fetch(`${s.server.baseUrl}${path}`, { headers });
    await res.arrayBuffer();
    return res.status;
  }

  /** Creates a key through the open dialog and returns the value the "shown once" dialog holds. */
  async function readShownKey(page: Page): Promise<string> {
    const shown = page.getByRole('dialog', { name: /created/ });
    await shown.waitFor({ timeout: 15_000 });
    const value = await shown.getByRole('textbox', { name: 'Key' }).inputValue();
    await shown.getByRole('button', { name: 'Done' }).click();
    await shown.waitFor({ state: 'hidden' });
    return value;
  }

  it('creates a channel, a publishable key for it and a scoped secret key, then revokes the secret key', async () => {
    const page = await newPage(s.browser);
    try {
      await signInPage(page, s.server, owner.token, '/admin/settings/channels');
      await settled(page);
      await checkPage(page, 'channels', { ready: settled });

      // A sales channel.
      await page.getByRole('button', { name: 'New channel' }).click();
      let dialog = page.getByRole('dialog');
      await dialog.getByRole('textbox', { name: 'Name', exact: true }).fill(channel);
      await dialog.getByRole('button', { name: 'Create' }).click();
      await dialog.waitFor({ state: 'hidden', timeout: 15_000 });
      await page.locator('main').getByText(channel).first().waitFor({ timeout: 15_000 });

      // A publishable key pinned to it: the storefront API browses that channel with it.
      await page.getByRole('button', { name: 'New publishable key' }).click();
      dialog = page.getByRole('dialog');
      await dialog.getByRole('textbox', { name: 'Name', exact: true }).fill(`Shop ${stamp}`);
      await dialog.getByLabel('Sales channel').selectOption({ label: channel });
      await dialog.getByRole('button', { name: 'Create key' }).click();
      const publishable = await readShownKey(page);
      expect(publishable).toMatch(/^pk_/);
      const res = await fetch(`${s.server.baseUrl}/v1/store/sales-channel`, {
        headers: { 'x-publishable-key': publishable },
      });
      expect(((await res.json()) as { name: string }).name).toBe(channel);

      // A secret key with two permissions, shown once.
      await page.getByRole('button', { name: 'New secret key' }).click();
      dialog = page.getByRole('dialog');
      await dialog.getByRole('textbox', { name: 'Name', exact: true }).fill(`ERP ${stamp}`);
      await dialog.getByRole('checkbox', { name: 'catalog:read' }).check();
      await dialog.getByRole('checkbox', { name: 'orders:read' }).check();
      await checkPage(page, 'channels-new-secret');
      await dialog.getByRole('button', { name: 'Create key' }).click();
      const secret = await readShownKey(page);
      expect(secret.length).toBeGreaterThan(20);
      const auth = { authorization: `Bearer ${secret}` };
      expect(await status('/v1/admin/products?limit=1', auth)).toBe(200);
      expect(await status('/v1/admin/orders?limit=1', auth)).toBe(200);
      expect(await status('/v1/admin/customers?limit=1', auth)).toBe(403);

      // Not shown again after a reload; the list shows its permissions and last use.
      await page.reload();
      await settled(page);
      const row = page.locator('main li', { hasText: `ERP ${stamp}` });
      await row.waitFor({ timeout: 15_000 });
      await expect.poll(() => row.textContent()).toMatch(/catalog:read, orders:read/);
      expect(await page.content()).not.toContain(secret);
      expect(await page.content()).not.toContain(publishable);
      await checkPage(page, 'channels-with-keys', { ready: settled });

      // Revoked: refused.
      await row.getByRole('button', { name: `Revoke ERP ${stamp}` }).click();
      await page.getByRole('alertdialog').or(page.getByRole('dialog')).getByRole('button', { name: 'Revoke' }).click();
      await row.getByText('Revoked', { exact: true }).waitFor({ timeout: 15_000 });
      expect(await status('/v1/admin/products?limit=1', auth)).toBe(401);
    } finally {
      await page.close();
    }
  });
});
