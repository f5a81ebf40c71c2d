import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settings } from '../../src/config.js';
import { auth, customRole, staffSession } from '../identity/staff.helpers.js';
import { createTestApp, type TestApp } from '../support/app.js';

const secretValues = {
  STRIPE_SECRET_KEY: 'sk_test_never_shown_1234567890',
  STRIPE_WEBHOOK_SECRET: 'whsec_never_shown_1234567890',
  PAYPAL_CLIENT_SECRET: 'paypal-secret-never-shown',
  SMTP_URL: 'smtp://user:smtp-password-never-shown@127.0.0.1:2525',
};

interface Row {
  name: string;
  secret: boolean;
  set: boolean;
  source: string;
  value: string | null;
}

let t: TestApp;
let owner: string;
beforeAll(async () => {
  t = await createTestApp({ env: { ...secretValues, WEBHOOK_TIMEOUT_MS: '4321' } });
  owner = (await staffSession(t)).token;
});
afterAll(async () => {
  await t?.close();
});

describe('GET /v1/admin/system/settings', () => {
  it('lists every setting with its source; never a secret value', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/v1/admin/system/settings', headers: auth(owner) });
    expect(res.statusCode).toBe(200);
    for (const v of Object.values(secretValues)) expect(res.body).not.toContain(v);
    expect(res.body).not.toContain('smtp-password-never-shown');
    const body = res.json<{ version: string; data: Row[] }>();
    expect(body.version).toMatch(/\d/);
    expect(body.data.map((r) => r.name).sort()).toEqual(Object.keys(settings).sort());
    const by = new Map(body.data.map((r) => [r.name, r]));
    expect(by.get('STRIPE_SECRET_KEY')).toMatchObject({ secret: true, set: true, value: null, source: 'env' });
    expect(by.get('SMTP_URL')).toMatchObject({ secret: true, set: true, value: null });
    expect(by.get('PAYPAL_CLIENT_ID')).toMatchObject({ secret: true, set: false, value: null, source: 'unset' });
    expect(by.get('WEBHOOK_TIMEOUT_MS')).toMatchObject({ secret: false, source: 'env', value: '4321' });
    expect(by.get('HOST')).toMatchObject({ secret: false, source: 'default', value: '127.0.0.1' });
    for (const r of body.data) if (r.secret) expect(r.value).toBeNull();
  });

  it('needs settings:manage: 401 without credentials, 403 without it', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/v1/admin/system/settings' })).statusCode).toBe(401);
    const role = await customRole(t, ['events:read']);
    const { token } = await staffSession(t, role);
    const res = await t.app.inject({ method: 'GET', url: '/v1/admin/system/settings', headers: auth(token) });
    expect(res.statusCode).toBe(403);
    expect(res.headers['content-type']).toContain('application/problem+json');
  });
});
