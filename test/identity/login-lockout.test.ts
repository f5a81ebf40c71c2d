import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStaff } from '../../src/modules/identity/index.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { goodPassword, signUp } from './customers.helpers.js';
import { staffEmail, staffPassword } from './staff.helpers.js';

/**
 * One client cannot lock everyone out: the per-address lockout of customer logins and of staff logins are kept
 * apart, and an operator whose proxy hides client addresses (X-Forwarded-For without TRUST_PROXY) is told so.
 */

let t: TestApp;
let customer: { email: string };
let staff: { email: string };

beforeAll(async () => {
  t = await createTestApp();
  customer = await signUp(t);
  staff = { email: staffEmail() };
  await createStaff(t.db.db, { email: staff.email, password: staffPassword, roleId: 'role_support' });
});
afterAll(() => t.close());

const customerLogin = (from: string, email: string, password: string, headers: Record<string, string> = {}) =>
  t.app.inject({
    method: 'POST',
    url: '/v1/store/auth/sessions',
    remoteAddress: from,
    headers,
    payload: { email, password },
  });
const staffLogin = (from: string, email: string, password: string) =>
  t.app.inject({ method: 'POST', url: '/v1/admin/auth/sessions', remoteAddress: from, payload: { email, password } });

/** `n` failed logins from `from`, each for another unknown account (so only the address's counter locks). */
async function failFrom(login: typeof staffLogin, from: string, n: number): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < n; i++) {
    statuses.push((await login(from, `nobody.${i}.${Date.now()}@example.com`, 'wrong password here')).statusCode);
  }
  return statuses;
}

describe('customer and staff lockouts are kept apart', () => {
  it('30 failed customer logins lock customer logins from that address, not staff logins', async () => {
    const proxy = '192.0.2.10';
    const statuses = await failFrom(customerLogin, proxy, 30);
    expect(statuses.slice(0, 20).every((s) => s === 401)).toBe(true);
    expect(statuses.at(-1)).toBe(429);
    const locked = await customerLogin(proxy, customer.email, goodPassword);
    expect(locked.statusCode).toBe(429);
    expect(locked.json().code).toBe('TOO_MANY_LOGIN_ATTEMPTS');
    const staffIn = await staffLogin(proxy, staff.email, staffPassword);
    expect(staffIn.statusCode, staffIn.body).toBe(201);
    expect(staffIn.json().token).toEqual(expect.any(String));
  });

  it('30 failed staff logins lock staff logins from that address, not customer logins', async () => {
    const proxy = '192.0.2.20';
    const statuses = await failFrom(staffLogin, proxy, 30);
    expect(statuses.at(-1)).toBe(429);
    expect((await staffLogin(proxy, staff.email, staffPassword)).statusCode).toBe(429);
    const customerIn = await customerLogin(proxy, customer.email, goodPassword);
    expect(customerIn.statusCode, customerIn.body).toBe(201);
  });
});

describe('X-Forwarded-For without TRUST_PROXY', () => {
  const warnings = () => t.logs.lines.filter((l) => String(l.msg).includes('TRUST_PROXY is off'));

  it('warns once, naming TRUST_PROXY, however many requests carry the header', async () => {
    expect(warnings()).toHaveLength(0);
    for (let i = 0; i < 3; i++) {
      await customerLogin('192.0.2.30', customer.email, goodPassword, { 'x-forwarded-for': `198.51.100.${i + 1}` });
    }
    await t.app.inject({ method: 'GET', url: '/health/live', headers: { 'x-forwarded-for': '198.51.100.9' } });
    expect(warnings()).toHaveLength(1);
    expect(warnings()[0]).toMatchObject({ level: 40, proxyAddress: '192.0.2.30' });
    expect(String(warnings()[0]?.msg)).toContain("Set TRUST_PROXY to the proxies' addresses");
  });

  it('does not warn when TRUST_PROXY is on (the header is then how the client is known)', async () => {
    const trusting = await createTestApp({ env: { TRUST_PROXY: 'true' }, db: t.db });
    try {
      const res = await trusting.app.inject({
        method: 'GET',
        url: '/health/live',
        headers: { 'x-forwarded-for': '198.51.100.7' },
      });
      expect(res.statusCode).toBe(200);
      expect(trusting.logs.lines.filter((l) => String(l.msg).includes('TRUST_PROXY'))).toHaveLength(0);
    } finally {
      await trusting.close();
    }
  });
});

describe('TRUST_PROXY naming the proxy', () => {
  it('counts the address the proxy saw, so a client cannot dodge the lockout by writing its own X-Forwarded-For', async () => {
    const oneHop = await createTestApp({ env: { TRUST_PROXY: '192.0.2.50' }, db: t.db });
    try {
      const proxy = '192.0.2.50';
      const client = '198.51.100.60';
      const attempt = (i: number, spoofed: string) =>
        oneHop.app.inject({
          method: 'POST',
          url: '/v1/store/auth/sessions',
          remoteAddress: proxy,
          // The client wrote the first entry itself; the proxy appended the address it really saw.
          headers: { 'x-forwarded-for': `${spoofed}, ${client}` },
          payload: { email: `nobody.hop.${i}.${Date.now()}@example.com`, password: 'wrong password here' },
        });
      const statuses: number[] = [];
      for (let i = 0; i < 25; i++) statuses.push((await attempt(i, `203.0.113.${i + 1}`)).statusCode);
      expect(statuses.slice(0, 20).every((s) => s === 401)).toBe(true);
      expect(statuses.at(-1)).toBe(429);
      // Another client behind the same proxy is not locked out.
      const other = await oneHop.app.inject({
        method: 'POST',
        url: '/v1/store/auth/sessions',
        remoteAddress: proxy,
        headers: { 'x-forwarded-for': '198.51.100.61' },
        payload: { email: customer.email, password: goodPassword },
      });
      expect(other.statusCode, other.body).toBe(201);
    } finally {
      await oneHop.close();
    }
  });
});
