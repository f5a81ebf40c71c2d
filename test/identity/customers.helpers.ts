import type { TestApp } from '../support/app.js';

/** A password that passes the policy (long enough, not a common one). */
export const goodPassword = 'correct horse battery staple';
export const otherPassword = 'violet-lantern-orbit-42';

let seq = 0;
export const uniqueEmail = (label = 'ada') => `${label}.${Date.now()}.${++seq}@example.com`;

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

export async function register(t: TestApp, body: Record<string, unknown>) {
  return t.app.inject({ method: 'POST', url: '/v1/store/customers', payload: body });
}

export async function login(t: TestApp, email: string, password: string) {
  return t.app.inject({ method: 'POST', url: '/v1/store/auth/sessions', payload: { email, password } });
}

/** Registers a customer and signs in; returns the email and a session token. */
export async function signUp(t: TestApp, email = uniqueEmail(), password = goodPassword) {
  const reg = await register(t, { email, password });
  if (reg.statusCode !== 201) throw new Error(`register failed: ${reg.statusCode} ${reg.body}`);
  const res = await login(t, email, password);
  if (res.statusCode !== 201) throw new Error(`login failed: ${res.statusCode} ${res.body}`);
  const { token } = res.json<{ token: string }>();
  return { id: reg.json<{ id: string }>().id, email, password, token };
}

export async function me(t: TestApp, token: string) {
  return t.app.inject({ method: 'GET', url: '/v1/store/customers/me', headers: bearer(token) });
}

export async function countRows(t: TestApp, table: 'customer' | 'auth_session' | 'audit_log'): Promise<number> {
  const row = await t.db.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
