import postgres from 'postgres';
import { expect, it } from 'vitest';
import { ownerSession, signInPage } from './support/auth.js';
import { describeBrowser, newPage } from './support/browser.js';
import { checkPage } from './support/checks.js';
import { useBrowserSuite } from './support/suite.js';

/**
 * The audit log (filtered by action, member, target and date; each entry shows what changed) and the System page
 * (health of the database, migrations and Redis; the outbox backlog; the workers' last runs, a crashed one shown late;
 * a dead event retried from the page).
 */
describeBrowser('admin audit log and system', () => {
  const s = useBrowserSuite();

  it('audit log: filters by action and date and shows what changed', async () => {
    const { token } = await ownerSession(s.server);
    const name = `audit-key-${Date.now().toString(36)}`;
    const { data: key } = await s.server.api(token).POST('/v1/admin/api-keys', {
      body: { name, kind: 'publishable' },
      headers: { 'Idempotency-Key': crypto.randomUUID() },
    });
    const keyId = key.id;
    const page = await newPage(s.browser);
    try {
      await signInPage(page, s.server, token, '/admin/settings/audit-log');
      await page.getByRole('heading', { name: 'Audit log', level: 1 }).waitFor();
      await page.getByTestId('audit-entry').first().waitFor();
      await page.getByLabel('Action').fill('api_key.created');
      await page.getByLabel('Target id').fill(keyId);
      const today = new Date();
      const day = `${today.getFullYear()}-${String(today.getMonth() + 1).padStart(2, '0')}-${String(today.getDate()).padStart(2, '0')}`;
      await page.getByLabel('From').fill(day);
      await page.getByLabel('To').fill(day);
      await page.getByRole('button', { name: 'Apply filters' }).click();
      const entries = page.getByTestId('audit-entry');
      await expect.poll(() => entries.count()).toBe(1);
      const text = await entries.first().textContent();
      expect(text).toContain('api_key.created');
      expect(text).toContain(keyId);
      expect(text).toContain(name);
      await checkPage(page, 'settings-audit-log', { ready: (p) => p.getByTestId('audit-entry').first().waitFor() });

      // A day before the key existed: nothing.
      await page.getByLabel('From').fill('2000-01-01');
      await page.getByLabel('To').fill('2000-01-02');
      await page.getByRole('button', { name: 'Apply filters' }).click();
      await page.getByText('Nothing matches these filters.').waitFor();
    } finally {
      await page.close();
    }
  });

  it('system: shows health and the backlog; a dead event is retried from the page', async () => {
    const { token } = await ownerSession(s.server);
    let deadId: string | undefined;
    if (s.server.databaseUrl) {
      const db = postgres(s.server.databaseUrl, { max: 1 });
      try {
        const rows = await db<{ id: string }[]>`
          update outbox_event set status = 'dead', delivered_at = null, last_error = 'test: the handler failed'
          where id = (select id from outbox_event where status = 'delivered' order by id desc limit 1)
          returning id`;
        deadId = rows[0]?.id;
        // A worker process that crashed an hour ago, its last round failed: shown late, with its error.
        await db`
          insert into worker_run (name, node, interval_ms, started_at, finished_at, duration_ms, last_ok_at,
                                  last_error, last_error_at, rounds, failures)
          values ('hold-expiry', 'crashed-host:4242', 1000, now() - interval '1 hour', now() - interval '1 hour', 12,
                  now() - interval '2 hours', 'test: connection refused', now() - interval '1 hour', 40, 3)`;
      } finally {
        await db.end();
      }
    }
    const page = await newPage(s.browser);
    try {
      await signInPage(page, s.server, token, '/admin/settings/system');
      await page.getByRole('heading', { name: 'System', level: 1 }).waitFor();
      const health = page.getByTestId('system-health');
      await expect.poll(() => health.textContent(), { timeout: 15_000 }).toContain('Database');
      expect(await health.textContent()).toContain('Redis');
      await expect.poll(() => page.getByTestId('system-backlog').textContent()).toContain('events waiting');
      // The workers' last runs: this server runs its workers in-process, so its loops are listed and running.
      const runs = page.getByTestId('worker-run');
      const relay = runs.filter({ hasText: 'outbox-relay' }).first();
      await relay.waitFor({ timeout: 20_000 });
      await expect.poll(() => relay.textContent()).toContain('Running');
      await expect.poll(() => runs.filter({ hasText: 'imports' }).count(), { timeout: 20_000 }).toBeGreaterThan(0);
      if (s.server.databaseUrl) {
        const crashed = runs.filter({ hasText: 'crashed-host:4242' });
        const text = await crashed.textContent();
        expect(text).toContain('Late');
        expect(text).toContain('test: connection refused');
      }
      // The environment's settings: values with their source; secrets only as set / not set.
      const envSettings = page.getByTestId('env-setting');
      await envSettings.first().waitFor();
      const host = envSettings.filter({ hasText: 'HOST' }).first();
      expect(await host.textContent()).toContain('127.0.0.1');
      const stripe = envSettings.filter({ hasText: 'STRIPE_SECRET_KEY' });
      expect(await stripe.textContent()).toMatch(/Secret (not )?set/);
      const settingsText = await page.getByTestId('system-settings').textContent();
      for (const name of [
        'STRIPE_SECRET_KEY',
        'STRIPE_WEBHOOK_SECRET',
        'PAYPAL_CLIENT_SECRET',
        'BACKROOM_SECRET_KEY',
      ]) {
        const secret = s.server.env[name];
        if (secret) expect(settingsText).not.toContain(secret);
      }
      const databaseUrl = s.server.env.DATABASE_URL;
      if (databaseUrl) expect(await page.getByTestId('system-settings').textContent()).not.toContain(databaseUrl);
      if (deadId) {
        const dead = page.getByTestId('dead-event').filter({ hasText: 'test: the handler failed' });
        await dead.waitFor();
        await checkPage(page, 'settings-system', { ready: (p) => p.getByTestId('dead-event').first().waitFor() });
        await dead.getByRole('button', { name: 'Retry' }).click();
        await expect.poll(() => dead.count(), { timeout: 15_000 }).toBe(0);
        const { data } = await s.server
          .api(token)
          .GET('/v1/admin/events', { params: { query: { status: 'dead', limit: 100 } } });
        expect(data.data.map((e) => e.id)).not.toContain(deadId);
      } else {
        await checkPage(page, 'settings-system');
      }
    } finally {
      await page.close();
    }
  });
});
