import { createStaff } from '../../src/modules/identity/index.js';
import { totpCode } from '../../src/modules/identity/totp.js';
import type { TestApp } from '../support/app.js';

/** A password that passes the policy (long enough, not a common one). */
export const staffPassword = 'amber-quarry-nimbus-77';

let seq = 0;
export const staffEmail = (label = 'staff') => `${label}.${Date.now()}.${++seq}@shop.example`;

export const auth = (token: string) => ({ authorization: `Bearer ${token}` });

export async function staffLogin(t: TestApp, email: string, password: string) {
  return t.app.inject({ method: 'POST', url: '/v1/admin/auth/sessions', payload: { email, password } });
}

/**
 * Creates a staff member with `roleId` and signs them in. When the role is in MFA_REQUIRED_ROLES
 * (owners and admins by default), the session also enrols in MFA so it can use every route;
 * `mfaSecret` is then the TOTP secret.
 */
export async function staffSession(t: TestApp, roleId = 'role_owner', email = staffEmail()) {
  const { id } = await createStaff(t.db.db, { email, password: staffPassword, roleId });
  const res = await staffLogin(t, email, staffPassword);
  if (res.statusCode !== 201) throw new Error(`staff login failed: ${res.statusCode} ${res.body}`);
  const token = res.json<{ token: string }>().token;
  let mfaSecret: string | undefined;
  if (t.config.MFA_REQUIRED_ROLES.includes(roleId)) {
    const start = await t.app.inject({ method: 'POST', url: '/v1/admin/staff/me/mfa', headers: auth(token) });
    mfaSecret = start.json<{ secret: string }>().secret;
    const confirm = await t.app.inject({
      method: 'POST',
      url: '/v1/admin/staff/me/mfa/confirm',
      headers: auth(token),
      payload: { code: totpCode(mfaSecret) },
    });
    if (confirm.statusCode !== 200) throw new Error(`MFA enrolment failed: ${confirm.statusCode} ${confirm.body}`);
  }
  return { id, email, token, mfaSecret };
}

/** A custom role (a plain `role` row) with exactly these permissions. */
export async function customRole(t: TestApp, permissions: string[]): Promise<string> {
  const id = `role_custom_${++seq}`;
  await t.db.db
    .insertInto('role')
    .values({ id, name: `custom ${id}`, permissions })
    .execute();
  return id;
}

export async function countRows(t: TestApp, table: 'staff_user' | 'auth_session' | 'api_key' | 'audit_log') {
  const row = await t.db.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
