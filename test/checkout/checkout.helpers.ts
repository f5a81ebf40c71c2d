import { randomBytes } from 'node:crypto';
import { auth, staffSession } from '../identity/staff.helpers.js';
import type { TestApp } from '../support/app.js';

export { auth };

export const unique = (label: string) => `${label} ${randomBytes(3).toString('hex')}`;

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** An HTTP client for one signed-in staff token. */
export function client(t: TestApp, token: string) {
  return (method: Method, url: string, payload?: Record<string, unknown>) =>
    t.app.inject({ method, url, headers: auth(token), ...(payload ? { payload } : {}) });
}

/** An owner's client. */
export async function ownerClient(t: TestApp) {
  return client(t, (await staffSession(t)).token);
}

export async function auditActions(t: TestApp, targetId: string): Promise<string[]> {
  const rows = await t.db.db
    .selectFrom('audit_log')
    .select('action')
    .where('target_id', '=', targetId)
    .orderBy('id')
    .execute();
  return rows.map((r) => r.action);
}

export async function stockLocation(call: ReturnType<typeof client>): Promise<string> {
  const code = `wh-${randomBytes(3).toString('hex')}`;
  const res = await call('POST', '/v1/admin/inventory/locations', { code, name: `Warehouse ${code}` });
  if (res.statusCode !== 201) throw new Error(`location: ${res.statusCode} ${res.body}`);
  return res.json<{ id: string }>().id;
}

export async function category(call: ReturnType<typeof client>, parentId?: string): Promise<string> {
  const res = await call('POST', '/v1/admin/categories', { name: unique('Cat'), ...(parentId ? { parentId } : {}) });
  if (res.statusCode !== 201) throw new Error(`category: ${res.statusCode} ${res.body}`);
  return res.json<{ id: string }>().id;
}
