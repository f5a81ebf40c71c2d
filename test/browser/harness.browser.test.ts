import { BackroomError } from '@backroom/client';
import { expect, it } from 'vitest';
import { createStaff, demoOwner, ownerSession, staffToken } from './support/auth.js';
import { describeBrowser, newPage, problemsOf } from './support/browser.js';
import { guestCheckout } from './support/checkout.js';
import { checkPage } from './support/checks.js';
import { allMail } from './support/mail.js';
import { useBrowserSuite } from './support/suite.js';

/** The harness itself: a real server with the demo shop, the API helpers, and a page checked in Chromium. */
describeBrowser('browser test harness', () => {
  const s = useBrowserSuite();

  it('starts the built server with the demo shop, ready and seeded', async () => {
    const ready = await fetch(`${s.server.baseUrl}/health/ready`);
    expect(ready.status).toBe(200);
    const { data: product } = await s.server.api().GET('/v1/store/products/{idOrHandle}', {
      params: { path: { idOrHandle: 'organic-cotton-t-shirt' }, query: { currency: 'EUR' } },
    });
    expect(product.variants.length).toBeGreaterThan(0);
  });

  it('enrols the demo owner in MFA through the API, after which a sign-in needs a TOTP code', async () => {
    const first = await staffToken(s.server);
    expect(first.totpSecret).toMatch(/^[A-Z2-7]+=*$/);
    expect(first.recoveryCodes).toHaveLength(10);
    const { data: orders } = await s.server.api(first.token).GET('/v1/admin/orders');
    expect(Array.isArray(orders.data)).toBe(true);

    const withoutCode = await s.server
      .api()
      .loginStaff(demoOwner)
      .catch((e: unknown) => e);
    expect(withoutCode).toBeInstanceOf(BackroomError);
    expect(withoutCode).toMatchObject({ status: 401, code: 'MFA_REQUIRED' });
    const again = await staffToken(s.server);
    expect(again.token).not.toBe(first.token);
    expect(again.totpSecret).toBe(first.totpSecret);
  });

  it('places a guest order through the storefront API that staff then find', async () => {
    const order = await guestCheckout(s.server, { email: 'harness@example.com', quantity: 2 });
    expect(order.status).toBe('placed');
    const { token } = await ownerSession(s.server);
    const { data: found } = await s.server
      .api(token)
      .GET('/v1/admin/orders', { params: { query: { q: 'harness@example.com' } } });
    expect(found.data.map((o) => o.id)).toContain(order.id);
  });

  it('invites a read-only member by email, who accepts and is refused a mutation', async () => {
    const member = await createStaff(s.server, 'role_read_only');
    expect(allMail(s.server).some((m) => m.to === member.email && /invited/i.test(m.subject))).toBe(true);
    const { data: me } = await s.server.api(member.token).GET('/v1/admin/staff/me');
    expect(me.role.id).toBe('role_read_only');
    const refused = await s.server
      .api(member.token)
      .POST('/v1/admin/staff/invites', { body: { email: 'nope@example.com', roleId: 'role_read_only' } })
      .catch((e: unknown) => e);
    expect(refused).toMatchObject({ status: 403 });
  });

  it('loads the admin app in Chromium with no CSP violation and passes the page checks', async () => {
    const page = await newPage(s.browser);
    try {
      const res = await page.goto(`${s.server.baseUrl}/admin/`);
      expect(res?.status()).toBe(200);
      expect(res?.headers()['content-security-policy']).toBeTruthy();
      await page.locator('main, [role="main"], form').first().waitFor({ timeout: 15_000 });
      await checkPage(page, 'harness-admin-entry');

      // The harness sees what the policy blocks: an injected inline script does not run, and is reported.
      await page.evaluate(`{
        const s = document.createElement('script');
        s.textContent = 'window.__injected = true';
        document.body.append(s);
      }`);
      await expect.poll(() => problemsOf(page).cspViolations.length).toBeGreaterThan(0);
      expect(await page.evaluate('window.__injected === true')).toBe(false);
    } finally {
      await page.context().close();
    }
  });
});
