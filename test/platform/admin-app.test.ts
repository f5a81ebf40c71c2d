import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { migrations } from '../../src/migrations/index.js';
import { createSecretBox } from '../../src/platform/crypto/secret-box.js';
import type { App } from '../../src/platform/http/types.js';
import { createMetrics } from '../../src/platform/metrics.js';
import { createTestDb, type TestDb } from '../support/db.js';

/** A built admin app in miniature: index.html with the nonce placeholder and one hashed asset. */
function fakeDist(): string {
  const dir = mkdtempSync(join(tmpdir(), 'backroom-admin-dist-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(
    join(dir, 'index.html'),
    '<!doctype html><html><head><meta name="csp-nonce" content="__CSP_NONCE__" />' +
      '<script type="module" src="/admin/assets/index-AbC123.js"></script></head><body><div id="root"></div></body></html>',
  );
  writeFileSync(join(dir, 'assets', 'index-AbC123.js'), 'console.log("admin");\n');
  return dir;
}

let db: TestDb;
const dirs: string[] = [];
const apps: App[] = [];

async function appWith(adminDistDir: string): Promise<App> {
  const config = loadConfig({ LOG_LEVEL: 'silent' });
  const app = await buildApp(
    {
      config,
      logger: pino({ level: 'silent' }),
      db: db.db,
      reads: db,
      metrics: createMetrics(),
      migrations,
      listen: (channel, onPayload) => db.listen(channel, onPayload),
      secretBox: createSecretBox(randomBytes(32)),
    },
    { adminDistDir },
  );
  await app.ready();
  apps.push(app);
  return app;
}

let built: App;
let missing: App;

beforeAll(async () => {
  db = await createTestDb({ metrics: createMetrics() });
  const dist = fakeDist();
  dirs.push(dist);
  built = await appWith(dist);
  const empty = mkdtempSync(join(tmpdir(), 'backroom-admin-none-'));
  dirs.push(empty);
  missing = await appWith(empty);
});

afterAll(async () => {
  for (const app of apps) await app.close();
  await db?.destroy();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const csp = (nonce?: string) =>
  "default-src 'none'; script-src 'self'; " +
  (nonce ? `style-src 'self' 'nonce-${nonce}'; ` : "style-src 'self'; ") +
  "img-src 'self' data: https:; connect-src 'self'; font-src 'self'; manifest-src 'self'; base-uri 'none'; " +
  "form-action 'self'; frame-ancestors 'none'";

describe('the admin app at /admin', () => {
  it('answers index.html for /admin, /admin/ and any page path, never cached, with a fresh CSP nonce each time', async () => {
    const nonces = new Set<string>();
    for (const url of [
      '/admin',
      '/admin/',
      '/admin/orders',
      '/admin/orders/ord_123/packing-slip',
      '/admin/sign-in?next=%2Fadmin%2Forders',
    ]) {
      const res = await built.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-type'], url).toMatch(/^text\/html/);
      expect(res.headers['cache-control'], url).toBe('no-cache');
      const nonce = /<meta name="csp-nonce" content="([^"]+)"/.exec(res.body)?.[1];
      expect(nonce, url).toMatch(/^[A-Za-z0-9+/]{22}==$/);
      expect(res.body).not.toContain('__CSP_NONCE__');
      expect(res.headers['content-security-policy'], url).toBe(csp(nonce));
      nonces.add(nonce ?? '');
    }
    expect(nonces.size).toBe(5);
  });

  it('serves hashed assets cached for a year (immutable), with the strict CSP', async () => {
    const res = await built.inject({ method: 'GET', url: '/admin/assets/index-AbC123.js' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/javascript/);
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(res.headers['content-security-policy']).toBe(csp());
  });

  it('answers 404 problem+json, not the page, for a missing file (a stale chunk must not get HTML)', async () => {
    for (const url of ['/admin/assets/gone-123.js', '/admin/favicon.ico']) {
      const res = await built.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(404);
      expect(res.headers['content-type'], url).toMatch(/^application\/problem\+json/);
      expect(res.body).not.toContain('<html');
      expect(res.headers['content-security-policy'], url).toBe(csp());
    }
  });

  it('keeps the API on its own CSP (nothing loads from JSON answers)', async () => {
    const res = await built.inject({ method: 'GET', url: '/health/live' });
    expect(res.headers['content-security-policy']).toBe("default-src 'none';frame-ancestors 'none'");
  });

  it('answers 503 problem+json with what to run when the app is not built', async () => {
    for (const url of ['/admin', '/admin/', '/admin/orders']) {
      const res = await missing.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(503);
      expect(res.headers['content-type'], url).toMatch(/^application\/problem\+json/);
      expect(res.json(), url).toMatchObject({
        status: 503,
        code: 'ADMIN_NOT_BUILT',
        detail: 'the admin app is not built: run npm run build',
      });
    }
  });

  it('leaves /admin out of the OpenAPI document', async () => {
    const doc = (await built.inject({ method: 'GET', url: '/openapi.json' })).json<{
      paths: Record<string, unknown>;
    }>();
    const paths = Object.keys(doc.paths);
    expect(paths.length).toBeGreaterThan(50);
    expect(paths.filter((p) => p === '/admin' || p.startsWith('/admin/'))).toEqual([]);
  });
});
