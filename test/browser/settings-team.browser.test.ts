import type { Page } from 'playwright-core';
import { beforeAll, expect, it } from 'vitest';
import { createStaff, ownerSession, type StaffSession, signInPage, staffToken } from './support/auth.js';
import { describeBrowser, newPage } from './support/browser.js';
import { checkPage } from './support/checks.js';
import { newestMail, tokenFromMail, waitForMail } from './support/mail.js';
import { useBrowserSuite } from './support/suite.js';

/**
 * The team journey: the owner invites a colleague from the Team page (the email arrives), resends the invitation
 * (the old link is replaced), the colleague accepts in a browser of their own and later signs in with their
 * password; an admin who tries to make that colleague an owner sees the refusal and the rule behind it; the owner
 * disables the colleague. Also: roles listed with their permissions, a custom role created in the browser.
 */
describeBrowser('team: staff, invitations and roles', () => {
  const s = useBrowserSuite();
  let owner: StaffSession;
  const email = `ada.${Date.now()}@example.com`;
  const password = 'a long colleague password 42';

  beforeAll(async () => {
    owner = await ownerSession(s.server);
  }, 120_000);

  async function settled(page: Page) {
    await page.getByRole('heading', { level: 1, name: 'Team' }).waitFor({ state: 'visible', timeout: 20_000 });
    await page.getByRole('list', { name: 'Staff members' }).waitFor({ state: 'visible', timeout: 20_000 });
  }

  const memberByEmail = async (token: string) => {
    const { data } = await s.server.api(token).GET('/v1/admin/staff', { params: { query: { q: email, limit: 10 } } });
    return data.data.find((m) => m.email === email);
  };

  it('invites, resends, accepts in a second browser, signs in; an admin is refused the owner role; owner disables', async () => {
    const page = await newPage(s.browser);
    try {
      await signInPage(page, s.server, owner.token, '/admin/settings/team');
      await settled(page);
      await checkPage(page, 'settings-team', { ready: settled });

      // Invite from the page: the email arrives.
      const before = new Date();
      await page.getByRole('button', { name: 'Invite a colleague' }).click();
      const dialog = page.getByRole('dialog');
      await dialog.getByLabel('Email').fill(email);
      await dialog.getByLabel('Name').fill('Ada Lovelace');
      await dialog.getByLabel('Role').selectOption('role_support');
      await dialog.getByRole('button', { name: 'Send invitation' }).click();
      await dialog.waitFor({ state: 'hidden', timeout: 15_000 });
      const first = await waitForMail(s.server, email, { subject: /invited/i, after: before });
      const firstToken = tokenFromMail(first);
      const row = page.getByRole('listitem').filter({ hasText: email });
      await row.getByText('invited').waitFor({ timeout: 15_000 });

      // Resend: a new link replaces the first.
      await row.getByRole('button', { name: `Resend invitation to ${email}` }).click();
      await expect
        .poll(
          () => {
            const mail = newestMail(s.server, email, /invited/i);
            return mail ? tokenFromMail(mail) : firstToken;
          },
          { timeout: 20_000 },
        )
        .not.toBe(firstToken);
      const token = tokenFromMail(newestMail(s.server, email, /invited/i) ?? first);

      // The colleague accepts in a browser context of their own, then signs in again with the password.
      const colleague = await newPage(s.browser);
      try {
        await colleague.goto(`${s.server.baseUrl}/admin/accept-invite?token=${encodeURIComponent(token)}`);
        await colleague.getByLabel(/^Password/).fill(password);
        await colleague.getByLabel('Repeat the password').fill(password);
        await colleague.getByRole('button', { name: 'Accept invitation' }).click();
        await colleague.locator('main h1').first().waitFor({ state: 'visible', timeout: 20_000 });
      } finally {
        await colleague.context().close();
      }
      const again = await newPage(s.browser);
      try {
        await again.goto(`${s.server.baseUrl}/admin/sign-in`);
        await again.getByLabel('Email').fill(email);
        await again.getByLabel('Password').fill(password);
        await again.getByRole('button', { name: /sign in/i }).click();
        await again.locator('main h1').first().waitFor({ state: 'visible', timeout: 20_000 });
        await expect.poll(() => again.url()).not.toContain('sign-in');
      } finally {
        await again.context().close();
      }
      await expect.poll(async () => (await memberByEmail(owner.token))?.status, { timeout: 15_000 }).toBe('active');

      // An admin (MFA enrolled, as MFA_REQUIRED_ROLES asks) may not make anyone an owner: the refusal is explained.
      const admin = await createStaff(s.server, 'role_admin');
      const adminPage = await newPage(s.browser);
      try {
        await signInPage(adminPage, s.server, admin.token, '/admin/settings/team');
        await settled(adminPage);
        const adminRow = adminPage.getByRole('listitem').filter({ hasText: email });
        await adminRow.getByRole('button', { name: `Change role of ${email}` }).click();
        const roleDialog = adminPage.getByRole('dialog');
        await roleDialog.getByLabel('Role').selectOption('role_owner');
        await roleDialog.getByRole('button', { name: 'Change role' }).click();
        await roleDialog
          .getByText('Only an owner can grant, remove or change the owner role.')
          .waitFor({ timeout: 15_000 });
        await roleDialog.getByText(/Ask one of the shop’s owners/).waitFor();
        await checkPage(adminPage, 'settings-team-refused', {
          ready: async (p) => {
            await p
              .getByRole('dialog')
              .getByText(/Ask one of the shop’s owners/)
              .waitFor();
          },
          allowConsoleErrors: [/403/],
        });
        await roleDialog.getByRole('button', { name: 'Cancel' }).click();
      } finally {
        await adminPage.context().close();
      }
      expect((await memberByEmail(owner.token))?.role.id).toBe('role_support');

      // The owner (the page reloaded: the colleague is active now) disables the colleague.
      await page.reload();
      await settled(page);
      await row.getByText('active', { exact: true }).waitFor({ timeout: 15_000 });
      await row.getByRole('button', { name: /^Disable/ }).click();
      await page.getByRole('dialog').getByRole('button', { name: 'Disable' }).click();
      await expect.poll(async () => (await memberByEmail(owner.token))?.status, { timeout: 15_000 }).toBe('disabled');
      await row.getByText('disabled', { exact: true }).waitFor({ timeout: 15_000 });
    } finally {
      await page.context().close();
    }
  }, 180_000);

  it('lists roles with their permissions and creates a custom role', async () => {
    const page = await newPage(s.browser);
    try {
      await signInPage(page, s.server, owner.token, '/admin/settings/team');
      await settled(page);
      const roles = page.getByRole('list', { name: 'Roles' });
      const builtin = roles.getByRole('listitem').filter({ hasText: 'Built-in' }).first();
      await builtin.waitFor();
      // Built-in roles have no edit button.
      expect(await roles.getByRole('button', { name: /^Edit role/ }).count()).toBe(0);

      const name = `Packers ${Date.now()}`;
      await page.getByRole('button', { name: 'New role' }).click();
      const dialog = page.getByRole('dialog');
      await dialog.getByLabel('Name').fill(name);
      await dialog.getByLabel('orders:read', { exact: true }).check();
      await dialog.getByLabel('orders:fulfil', { exact: true }).check();
      await dialog.getByRole('button', { name: 'Create role' }).click();
      await dialog.waitFor({ state: 'hidden', timeout: 15_000 });
      const custom = roles.getByRole('listitem').filter({ hasText: name }).first();
      await custom.getByText('Custom').waitFor({ timeout: 15_000 });
      await custom.getByText(`Permissions (2)`).waitFor();
      const { data } = await s.server.api(owner.token).GET('/v1/admin/roles');
      const created = data.data.find((r) => r.name === name);
      expect(created?.permissions.sort()).toEqual(['orders:fulfil', 'orders:read']);
    } finally {
      await page.context().close();
    }
  }, 120_000);

  it('account page: new recovery codes (the old ones stop working) and sign out everywhere', async () => {
    const admin = await createStaff(s.server, 'role_admin');
    const other = await staffToken(s.server, { ...admin, totpSecret: admin.totpSecret ?? '' });
    const page = await newPage(s.browser);
    const heading = (p: Page) => p.getByRole('heading', { level: 1, name: 'Your account' });
    try {
      await signInPage(page, s.server, admin.token, '/admin/account');
      await heading(page).waitFor({ timeout: 20_000 });
      await checkPage(page, 'account-security', { ready: (p) => heading(p).waitFor() });

      await page.getByRole('button', { name: 'New recovery codes…' }).click();
      const dialog = page.getByRole('dialog');
      await dialog.getByLabel(/^Code/).fill('000000-wrong');
      await dialog.getByRole('button', { name: 'Make new codes' }).click();
      await dialog.getByText('That code is wrong, expired or already used.').waitFor({ timeout: 15_000 });
      await dialog.getByLabel(/^Code/).fill(admin.recoveryCodes?.[0] ?? '');
      await dialog.getByRole('button', { name: 'Make new codes' }).click();
      const list = dialog.getByRole('list', { name: 'Your new recovery codes' });
      await list.waitFor({ timeout: 15_000 });
      const fresh = (await list.getByRole('listitem').allTextContents()).map((c) => c.trim());
      expect(fresh).toHaveLength(admin.recoveryCodes?.length ?? 10);
      await dialog.getByRole('button', { name: 'I have saved them' }).click();
      // An old code no longer signs in; a new one does.
      const api = s.server.api();
      await expect(
        api.loginStaff({ email: admin.email, password: admin.password, code: admin.recoveryCodes?.[1] ?? '' }),
      ).rejects.toThrow();
      const viaNew = await api.loginStaff({ email: admin.email, password: admin.password, code: fresh[0] ?? '' });
      expect(viaNew.token).toBeTruthy();

      // Sign out everywhere: this tab goes to the sign-in page, the other sessions end too.
      await page.getByRole('button', { name: 'Sign out everywhere' }).click();
      await page.getByRole('dialog').getByRole('button', { name: 'Sign out everywhere' }).click();
      await expect.poll(() => page.url(), { timeout: 15_000 }).toContain('/sign-in');
      for (const token of [other.token, viaNew.token]) {
        const res = await fetch(`${s.server.baseUrl}/v1/admin/staff/me`, {
          headers: { authorization: `Bearer ${token}` },
        });
        expect(res.status).toBe(401);
      }
    } finally {
      await page.context().close();
    }
  }, 180_000);
});
