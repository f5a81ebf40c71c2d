import { BackroomError } from '@backroom/client';
import { Secret, TOTP } from 'otpauth';
import type { Page } from 'playwright-core';
import { tokenFromMail, waitForMail } from './mail.js';
import type { BrowserServer } from './server.js';

/** The demo owner `backroom seed` creates (src/seed.ts); role owner, so MFA must be enrolled before anything else. */
export const demoOwner = { email: 'owner@demo.backroom.dev', password: 'backroom-demo-owner' } as const;

/**
 * The key under which the admin app keeps the staff session token in `sessionStorage`
 * (packages/admin/src/api/session.ts).
 */
export const SESSION_STORAGE_KEY = 'backroom.admin.token';

export interface StaffSession {
  email: string;
  password: string;
  token: string;
  /** The TOTP secret (base32) when the member has MFA, so a test can compute codes. */
  totpSecret?: string;
  /** The recovery codes handed out at enrolment (only when this call enrolled). */
  recoveryCodes?: string[];
}

// TOTP codes are single-use per 30 s step (the server keeps the last accepted step), and it accepts one step either
// side of now. So each sign-in takes the next unused step, up to one ahead; past that it waits for the clock.
const lastStep = new Map<string, number>();
const period = 30;

/** A TOTP code the server has not accepted yet for this secret (waits up to 30 s when both usable steps are spent). */
export async function nextTotpCode(secret: string): Promise<string> {
  for (;;) {
    const seconds = Date.now() / 1000;
    const now = Math.floor(seconds / period);
    // The step before now is accepted too, but not when the clock may move on before the server checks it.
    const earliest = seconds - now * period < period - 5 ? now - 1 : now;
    const step = Math.max(earliest, (lastStep.get(secret) ?? Number.NEGATIVE_INFINITY) + 1);
    if (step <= now + 1) {
      lastStep.set(secret, step);
      return new TOTP({ secret: Secret.fromBase32(secret), period }).generate({ timestamp: step * period * 1000 });
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}

// Secrets enrolled by this harness, per server, so a second sign-in of the same member can answer MFA_REQUIRED.
const enrolled = new WeakMap<BrowserServer, Map<string, string>>();

function rememberSecret(server: BrowserServer, email: string, secret: string) {
  const secrets = enrolled.get(server) ?? new Map<string, string>();
  enrolled.set(server, secrets);
  secrets.set(email.toLowerCase(), secret);
}

export function knownTotpSecret(server: BrowserServer, email: string): string | undefined {
  return enrolled.get(server)?.get(email.toLowerCase());
}

/** Enrols the session's member in MFA through the API; the session counts as verified afterwards. */
export async function enrolMfa(
  server: BrowserServer,
  token: string,
  email: string,
): Promise<{ totpSecret: string; recoveryCodes: string[] }> {
  const api = server.api(token);
  const { data: started } = await api.POST('/v1/admin/staff/me/mfa');
  const code = await nextTotpCode(started.secret);
  const { data: confirmed } = await api.POST('/v1/admin/staff/me/mfa/confirm', { body: { code } });
  rememberSecret(server, email, started.secret);
  return { totpSecret: started.secret, recoveryCodes: confirmed.recoveryCodes };
}

/** The roles whose members must enrol in MFA before doing anything: the server's `MFA_REQUIRED_ROLES`. */
export function mfaRequiredRoles(server: BrowserServer): string[] {
  const raw = server.env.MFA_REQUIRED_ROLES;
  return raw === undefined || raw.trim() === ''
    ? ['role_owner', 'role_admin']
    : raw
        .split(',')
        .map((r) => r.trim())
        .filter(Boolean);
}

/** Must this session enrol in MFA before it may do anything else (403 MFA_ENROLMENT_REQUIRED)? */
async function mustEnrol(server: BrowserServer, token: string): Promise<boolean> {
  const { data: me } = await server.api(token).GET('/v1/admin/staff/me');
  // Servers built before /me said so: the member has no MFA yet (the login needed no code), so the role decides.
  return typeof me.mfaEnrolmentRequired === 'boolean'
    ? me.mfaEnrolmentRequired
    : mfaRequiredRoles(server).includes(me.role.id);
}

/**
 * A staff session token through the API, as the admin app gets one: password, then a TOTP code when the member has
 * MFA (secret from `totpSecret` or from an earlier enrolment by this harness). A member whose role requires MFA and
 * who has not enrolled yet (the demo owner on a fresh shop) is enrolled, and the secret returned.
 */
export async function staffToken(
  server: BrowserServer,
  who: { email: string; password: string; totpSecret?: string } = demoOwner,
): Promise<StaffSession> {
  const api = server.api();
  const secret = who.totpSecret ?? knownTotpSecret(server, who.email);
  let token: string;
  try {
    ({ token } = await api.loginStaff({ email: who.email, password: who.password }));
  } catch (err) {
    if (!(err instanceof BackroomError && err.code === 'MFA_REQUIRED')) throw err;
    if (!secret) throw new Error(`${who.email} has MFA but the test knows no TOTP secret for them`);
    ({ token } = await api.loginStaff({ email: who.email, password: who.password, code: await nextTotpCode(secret) }));
    return { email: who.email, password: who.password, token, totpSecret: secret };
  }
  if (await mustEnrol(server, token)) {
    const mfa = await enrolMfa(server, token, who.email);
    return { email: who.email, password: who.password, token, ...mfa };
  }
  return { email: who.email, password: who.password, token, ...(secret ? { totpSecret: secret } : {}) };
}

/**
 * Opens the admin app signed in with `token`, the way the app keeps a session: the token goes into this tab's
 * `sessionStorage` (set from a same-origin page before the app loads, once — a sign-out in the test stays signed
 * out), then `/admin/` (or `path`) is loaded.
 */
export async function signInPage(page: Page, server: BrowserServer, token: string, path = '/admin/'): Promise<void> {
  await page.goto(`${server.baseUrl}/health/ready`);
  await page.evaluate(`sessionStorage.setItem(${JSON.stringify(SESSION_STORAGE_KEY)}, ${JSON.stringify(token)})`);
  await page.goto(`${server.baseUrl}${path}`);
}

// One owner session per server for set-up calls, so tests do not spend a TOTP step on every helper call.
const ownerSessions = new WeakMap<BrowserServer, Promise<StaffSession>>();

/** The demo owner's session for set-up calls (enrolled in MFA on first use), shared by the file's tests. */
export function ownerSession(server: BrowserServer): Promise<StaffSession> {
  let session = ownerSessions.get(server);
  if (!session) {
    session = staffToken(server, demoOwner);
    ownerSessions.set(server, session);
    session.catch(() => ownerSessions.delete(server));
  }
  return session;
}

let staffCounter = 0;

/**
 * A new staff member with `roleId` (e.g. `role_read_only`): invited by the owner through the API, the invitation
 * read from the email, accepted with a password. Members whose role requires MFA are enrolled too.
 */
export async function createStaff(
  server: BrowserServer,
  roleId: string,
  opts: { ownerToken?: string; email?: string; name?: string; password?: string } = {},
): Promise<StaffSession & { staffId: string }> {
  const ownerToken = opts.ownerToken ?? (await ownerSession(server)).token;
  staffCounter += 1;
  const email =
    opts.email ?? `${roleId.replace(/^role_/, '').replace(/_/g, '-')}-${Date.now()}-${staffCounter}@example.com`;
  const password = opts.password ?? `correct horse battery ${roleId} ${staffCounter}`;
  const before = new Date();
  const { data: invitation } = await server
    .api(ownerToken)
    .POST('/v1/admin/staff/invites', { body: { email, roleId, name: opts.name ?? `Test ${roleId}` } });
  const mail = await waitForMail(server, email, { subject: /invited/i, after: before });
  const { data: accepted } = await server
    .api()
    .POST('/v1/admin/staff/invites/accept', { body: { token: tokenFromMail(mail), password } });
  const session: StaffSession = { email, password, token: accepted.token };
  if (await mustEnrol(server, accepted.token)) Object.assign(session, await enrolMfa(server, accepted.token, email));
  return { ...session, staffId: invitation.staff.id };
}
