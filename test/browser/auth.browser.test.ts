import { readFileSync } from 'node:fs';
import { BackroomError } from '@backroom/client';
import type { Page } from 'playwright-core';
import { afterEach, expect, it } from 'vitest';
import { demoOwner, nextTotpCode, SESSION_STORAGE_KEY, staffToken } from './support/auth.js';
import { describeBrowser, newPage } from './support/browser.js';
import { checkPage } from './support/checks.js';
import { type Mail, waitForMail } from './support/mail.js';
import { useBrowserSuite } from './support/suite.js';

/**
 * The sign-in pages, as a member uses them: the demo owner goes from the sign-in page through MFA enrolment (the test
 * reads the secret off the page and computes the codes) to Home; signs out; signs in with a TOTP code and with a
 * recovery code (which then stops working); a wrong password; a password reset through the email; an invited member
 * joins through the invitation page; the account page. One server: the steps build on each other.
 */

// Each wrong answer on purpose makes the browser log the failed request; checkPage must not count those.
const expected401 = [/status of 401/];

describeBrowser('sign-in pages', () => {
  const s = useBrowserSuite();
  const owner = { email: demoOwner.email, password: demoOwner.password as string, totpSecret: '' };
  let recoveryCodes: string[] = [];
  const pages: Page[] = [];

  async function open(path = '/admin/'): Promise<Page> {
    const page = await newPage(s.browser);
    pages.push(page);
    await page.goto(`${s.server.baseUrl}${path}`);
    return page;
  }
  afterEach(async () => {
    for (const page of pages.splice(0)) await page.context().close();
  });

  const storedToken = (page: Page) =>
    page.evaluate(`sessionStorage.getItem(${JSON.stringify(SESSION_STORAGE_KEY)})`) as Promise<string | null>;
  const heading = (page: Page, name: string | RegExp) => page.getByRole('heading', { level: 1, name });

  async function fillPassword(page: Page, email: string, password: string) {
    await heading(page, 'Sign in').waitFor();
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
  }

  async function expectHome(page: Page) {
    await page.waitForURL(`${s.server.baseUrl}/admin/`);
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
  }

  /** The link of an email, opened on this server's address (ADMIN_URL names localhost:<port>). */
  function pathOfLink(mail: Mail, page: string): string {
    const link = mail.links.find((l) => new URL(l).pathname === `/admin/${page}`);
    if (!link) throw new Error(`no /admin/${page} link in "${mail.subject}": ${mail.links.join(' ')}`);
    const url = new URL(link);
    return `${url.pathname}${url.search}`;
  }

  it('the demo owner signs in, is sent to MFA set-up, scans the secret, saves the recovery codes and lands on Home', async () => {
    const page = await open('/admin/');
    await page.waitForURL(/\/admin\/sign-in\?next=/);
    await checkPage(page, 'auth-sign-in', { ready: (p) => heading(p, 'Sign in').waitFor() });

    await fillPassword(page, owner.email, owner.password);
    await page.waitForURL(/\/admin\/mfa-setup/);
    const secretCode = page.locator('code[data-secret]');
    await secretCode.waitFor();
    owner.totpSecret = ((await secretCode.textContent()) ?? '').replace(/\s+/g, '');
    expect(owner.totpSecret).toMatch(/^[A-Z2-7]{16,}$/);
    expect(await secretCode.getAttribute('data-secret')).toBe(owner.totpSecret);
    const qr = page.getByRole('img', { name: /QR code/ });
    await qr.waitFor();
    expect(await qr.getAttribute('src')).toMatch(/^data:image\/svg\+xml/);
    await checkPage(page, 'auth-mfa-setup', { ready: (p) => p.getByRole('img', { name: /QR code/ }).waitFor() });

    // A wrong code first: the page says so, next to the field.
    await page.getByLabel('Code from the app').fill('000000');
    await page.getByRole('button', { name: 'Turn on two-factor authentication' }).click();
    await page.getByText('That code is wrong or expired').waitFor();

    await page.getByLabel('Code from the app').fill(await nextTotpCode(owner.totpSecret));
    await page.getByRole('button', { name: 'Turn on two-factor authentication' }).click();
    await heading(page, 'Save your recovery codes').waitFor();
    recoveryCodes = await page.getByRole('list', { name: 'Recovery codes' }).getByRole('listitem').allInnerTexts();
    expect(recoveryCodes).toHaveLength(10);
    await checkPage(page, 'auth-recovery-codes', {
      ready: (p) => heading(p, 'Save your recovery codes').waitFor(),
      allowConsoleErrors: [/status of 400/],
    });

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download .txt' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('backroom-recovery-codes.txt');
    const file = await download.path();
    const text = readFileSync(file, 'utf8');
    for (const code of recoveryCodes) expect(text).toContain(code);

    const next = page.getByRole('button', { name: 'Continue' });
    expect(await next.isDisabled()).toBe(true);
    await page.getByLabel('I have saved my recovery codes').check();
    await next.click();
    await expectHome(page);

    // The server agrees: MFA is on, and the password alone is no longer enough.
    const err = await s.server
      .api()
      .loginStaff({ email: owner.email, password: owner.password })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BackroomError);
    expect((err as BackroomError).code).toBe('MFA_REQUIRED');
  }, 120_000);

  it('signs out: the token leaves sessionStorage and the server refuses it', async () => {
    const { token } = await staffToken(s.server, owner);
    const page = await newPage(s.browser);
    pages.push(page);
    await page.goto(`${s.server.baseUrl}/health/ready`);
    await page.evaluate(`sessionStorage.setItem(${JSON.stringify(SESSION_STORAGE_KEY)}, ${JSON.stringify(token)})`);
    await page.goto(`${s.server.baseUrl}/admin/account`);
    await heading(page, 'Your account').waitFor();
    await page.getByText('owner', { exact: true }).first().waitFor();
    await checkPage(page, 'account', { ready: (p) => heading(p, 'Your account').waitFor() });

    await page.getByRole('banner').getByRole('button', { name: 'Sign out' }).click();
    await heading(page, 'Sign in').waitFor();
    // A deliberate sign-out forgets the page: whoever signs in next in this tab starts at Home.
    expect(new URL(page.url()).searchParams.get('next')).toBeNull();
    expect(await storedToken(page)).toBeNull();
    const refused = await s.server
      .api(token)
      .GET('/v1/admin/staff/me')
      .catch((e: unknown) => e);
    expect((refused as BackroomError).status).toBe(401);
  }, 60_000);

  it('signs in with password and a TOTP code, and goes back to the page it was sent from', async () => {
    const page = await open('/admin/orders?q=1001');
    await page.waitForURL(/\/admin\/sign-in\?next=/);
    await fillPassword(page, owner.email, owner.password);
    await heading(page, 'Two-factor authentication').waitFor();
    await checkPage(page, 'auth-sign-in-code', {
      ready: (p) => heading(p, 'Two-factor authentication').waitFor(),
      allowConsoleErrors: expected401,
    });
    await page.getByLabel('Authentication code').fill(await nextTotpCode(owner.totpSecret));
    await page.getByRole('button', { name: 'Verify and sign in' }).click();
    await page.waitForURL(/\/admin\/orders\?q=1001$/);
    expect(await storedToken(page)).toMatch(/^sess_/);
  }, 60_000);

  it('signs in once with a recovery code, which is then refused; ?next= never leaves the app', async () => {
    const page = await open(`/admin/sign-in?next=${encodeURIComponent('https://evil.example/steal')}`);
    await fillPassword(page, owner.email, owner.password);
    await heading(page, 'Two-factor authentication').waitFor();
    await page.getByRole('button', { name: 'Use a recovery code' }).click();
    const code = recoveryCodes[0] ?? '';
    await page.getByLabel('Recovery code').fill(code);
    await page.getByRole('button', { name: 'Verify and sign in' }).click();
    await expectHome(page);
    expect(new URL(page.url()).origin).toBe(s.server.baseUrl);

    const again = await open(`/admin/sign-in?next=${encodeURIComponent('//evil.example/steal')}`);
    await fillPassword(again, owner.email, owner.password);
    await again.getByRole('button', { name: 'Use a recovery code' }).click();
    await again.getByLabel('Recovery code').fill(code);
    await again.getByRole('button', { name: 'Verify and sign in' }).click();
    await again.getByText('That recovery code is wrong or has already been used.').waitFor();
    expect(await storedToken(again)).toBeNull();
    // A fresh recovery code still works, and ?next=//… still lands inside the app.
    await again.getByLabel('Recovery code').fill(recoveryCodes[1] ?? '');
    await again.getByRole('button', { name: 'Verify and sign in' }).click();
    await expectHome(again);
  }, 60_000);

  it('a wrong password shows a clear error and signs nobody in', async () => {
    const page = await open('/admin/sign-in');
    await fillPassword(page, owner.email, 'not the password at all');
    const alert = page.getByRole('alert').filter({ hasText: 'The email or password is incorrect.' });
    await alert.waitFor();
    await heading(page, 'Sign in').waitFor();
    expect(await storedToken(page)).toBeNull();
  }, 60_000);

  it('forgot password: the same answer for anyone; the emailed link sets a new password that signs in', async () => {
    const page = await open('/admin/sign-in');
    await page.getByRole('link', { name: 'Forgot your password?' }).click();
    await heading(page, 'Forgot your password?').waitFor();
    await checkPage(page, 'auth-forgot-password', { ready: (p) => heading(p, 'Forgot your password?').waitFor() });

    // An address with no account gets exactly the same answer (no account enumeration).
    await page.getByLabel('Email').fill('nobody@example.com');
    await page.getByRole('button', { name: 'Send reset link' }).click();
    const nobodyAnswer = (
      (await page.getByRole('status').filter({ hasText: 'we have sent it' }).textContent()) ?? ''
    ).replace('nobody@example.com', '<email>');
    await page.goto(`${s.server.baseUrl}/admin/forgot-password`);
    const before = new Date();
    await page.getByLabel('Email').fill(owner.email);
    await page.getByRole('button', { name: 'Send reset link' }).click();
    const ownerAnswer = (
      (await page.getByRole('status').filter({ hasText: 'we have sent it' }).textContent()) ?? ''
    ).replace(owner.email, '<email>');
    expect(ownerAnswer).toBe(nobodyAnswer);

    const mail = await waitForMail(s.server, owner.email, { subject: /password/i, after: before });
    const resetPath = pathOfLink(mail, 'reset-password');
    const reset = await open(resetPath);
    await heading(reset, 'Choose a new password').waitFor();
    await checkPage(reset, 'auth-reset-password', { ready: (p) => heading(p, 'Choose a new password').waitFor() });

    // The server's policy shows next to the field.
    await reset.getByLabel('New password').fill('password');
    await reset.getByLabel('Repeat the password').fill('password');
    await reset.getByRole('button', { name: 'Set new password' }).click();
    await reset.getByText('is one of the most common passwords; choose another').waitFor();

    owner.password = 'a brand new owner passphrase';
    await reset.getByLabel('New password').fill(owner.password);
    await reset.getByLabel('Repeat the password').fill(owner.password);
    await reset.getByRole('button', { name: 'Set new password' }).click();
    await heading(reset, 'Password changed').waitFor();

    // The link worked once.
    const used = await open(resetPath);
    await used.getByLabel('New password').fill('another long passphrase');
    await used.getByLabel('Repeat the password').fill('another long passphrase');
    await used.getByRole('button', { name: 'Set new password' }).click();
    await used.getByText('This link no longer works').waitFor();

    await reset.getByRole('link', { name: 'Sign in' }).click();
    await fillPassword(reset, owner.email, owner.password);
    await reset.getByLabel('Authentication code').fill(await nextTotpCode(owner.totpSecret));
    await reset.getByRole('button', { name: 'Verify and sign in' }).click();
    await expectHome(reset);
  }, 90_000);

  it('an invited member accepts through the invitation page, is signed in, changes the password and signs in again', async () => {
    const { token: ownerToken } = await staffToken(s.server, owner);
    const email = `invited-${Date.now()}@example.com`;
    const before = new Date();
    await s.server
      .api(ownerToken)
      .POST('/v1/admin/staff/invites', { body: { email, roleId: 'role_read_only', name: 'Invited' } });
    const mail = await waitForMail(s.server, email, { subject: /invited/i, after: before });

    const page = await open(pathOfLink(mail, 'accept-invite'));
    await heading(page, 'Join your team').waitFor();
    await checkPage(page, 'auth-accept-invite', { ready: (p) => heading(p, 'Join your team').waitFor() });
    await page.getByLabel('Your name').fill('Ada Lovelace');
    await page.getByLabel(/^Password/).fill('first analytical engine');
    await page.getByLabel('Repeat the password').fill('first analytical engine, typo');
    await page.getByRole('button', { name: 'Accept invitation' }).click();
    await page.getByText('The two passwords are not the same.').waitFor();
    await page.getByLabel('Repeat the password').fill('first analytical engine');
    await page.getByRole('button', { name: 'Accept invitation' }).click();
    await expectHome(page);
    await page.getByText('Ada Lovelace').first().waitFor();

    // The account page: change the password (a wrong current one is named next to its field).
    await page.getByRole('link', { name: 'Account' }).click();
    await heading(page, 'Your account').waitFor();
    await page.getByText('read-only', { exact: true }).first().waitFor();
    await page.getByLabel('Current password').fill('not my password');
    await page.getByLabel(/^New password/).fill('second analytical engine');
    await page.getByLabel('Repeat the new password').fill('second analytical engine');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByText('is incorrect').waitFor();
    await page.getByLabel('Current password').fill('first analytical engine');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByText('Password changed').first().waitFor();

    await page.getByRole('banner').getByRole('button', { name: 'Sign out' }).click();
    // Signed out on purpose: signing in again starts at Home, not on the page the last member left.
    await heading(page, 'Sign in').waitFor();
    expect(new URL(page.url()).searchParams.get('next')).toBeNull();
    await fillPassword(page, email, 'second analytical engine');
    await page.waitForURL(`${s.server.baseUrl}/admin/`);
    const me = await s.server.api((await storedToken(page)) ?? '').GET('/v1/admin/staff/me');
    expect(me.data).toMatchObject({ email, name: 'Ada Lovelace', mfaEnabled: false });
  }, 90_000);
  it('turning two-factor off on the account page sends an owner (whose role requires it) straight to a new enrolment', async () => {
    const { token } = await staffToken(s.server, owner);
    const page = await newPage(s.browser);
    pages.push(page);
    await page.goto(`${s.server.baseUrl}/health/ready`);
    await page.evaluate(`sessionStorage.setItem(${JSON.stringify(SESSION_STORAGE_KEY)}, ${JSON.stringify(token)})`);
    await page.goto(`${s.server.baseUrl}/admin/account`);
    await heading(page, 'Your account').waitFor();
    await page.getByRole('button', { name: 'Turn off…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Turn off two-factor authentication' });
    await dialog.getByLabel('Code').fill('123456');
    await dialog.getByRole('button', { name: 'Turn off', exact: true }).click();
    await dialog.getByText('That code is wrong, expired or already used.').waitFor();
    await dialog.getByLabel('Code').fill(await nextTotpCode(owner.totpSecret));
    await dialog.getByRole('button', { name: 'Turn off', exact: true }).click();

    await page.waitForURL(/\/admin\/mfa-setup/);
    const secretCode = page.locator('code[data-secret]');
    await secretCode.waitFor();
    const secret = (await secretCode.getAttribute('data-secret')) ?? '';
    expect(secret).not.toBe(owner.totpSecret);
    owner.totpSecret = secret;
    await page.getByLabel('Code from the app').fill(await nextTotpCode(secret));
    await page.getByRole('button', { name: 'Turn on two-factor authentication' }).click();
    await heading(page, 'Save your recovery codes').waitFor();
    await page.getByLabel('I have saved my recovery codes').check();
    await page.getByRole('button', { name: 'Continue' }).click();
    await expectHome(page);
    const { data: me } = await s.server.api(token).GET('/v1/admin/staff/me');
    expect(me).toMatchObject({ mfaEnabled: true, mfaEnrolmentRequired: false });
  }, 90_000);
});
