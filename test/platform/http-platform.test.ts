import type { FastifyPluginAsync } from 'fastify';
import { sql } from 'kysely';
import { Type } from 'typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/platform/http/types.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { createScratchTable, rowCount } from '../support/probes.js';

/** A POST route that writes a row, to prove rejected requests write nothing. */
function notesRoute(get: () => TestApp): FastifyPluginAsync {
  return async (instance) => {
    (instance as App).post(
      '/probe/notes',
      {
        schema: {
          body: Type.Object({ text: Type.String() }),
          response: { 201: Type.Object({ id: Type.String() }) },
        },
      },
      async (request, reply) => {
        const id = `note_${Math.random().toString(36).slice(2)}`;
        await sql`insert into probe_note (id, name) values (${id}, ${request.body.text})`.execute(get().db.db);
        return reply.code(201).send({ id });
      },
    );
  };
}

const corsHeaders = (headers: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(headers).filter(([name]) => name.startsWith('access-control-')));

const preflight = (origin: string) => ({
  method: 'OPTIONS' as const,
  url: '/health/live',
  headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'idempotency-key' },
});

describe('HTTP platform', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { BODY_LIMIT_BYTES: '2048' }, plugins: [notesRoute(() => t)] });
    await createScratchTable(t.db.db, 'probe_note');
  });
  afterAll(() => t.close());

  describe('request id', () => {
    it('accepts a valid x-request-id and echoes it in the header and the problem body', async () => {
      const res = await t.app.inject({
        method: 'GET',
        url: '/nowhere',
        headers: { 'x-request-id': 'edge-7f3a.b:1_2' },
      });
      expect(res.headers['x-request-id']).toBe('edge-7f3a.b:1_2');
      expect(res.json().requestId).toBe('edge-7f3a.b:1_2');
    });

    it('generates one when the header is absent', async () => {
      const a = await t.app.inject({ method: 'GET', url: '/health/live' });
      const b = await t.app.inject({ method: 'GET', url: '/health/live' });
      expect(a.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
      expect(b.headers['x-request-id']).not.toBe(a.headers['x-request-id']);
    });

    it.each([
      ['spaces', 'not a token'],
      ['markup', '<script>alert(1)</script>'],
      ['too long', 'x'.repeat(129)],
    ])('replaces an invalid one (%s) with a generated id', async (_, given) => {
      const res = await t.app.inject({ method: 'GET', url: '/nowhere', headers: { 'x-request-id': given } });
      expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
      expect(res.json().requestId).toBe(res.headers['x-request-id']);
    });
  });

  describe('security headers', () => {
    it('sends nosniff and a deny-everything CSP on API responses, errors included', async () => {
      for (const url of ['/health/live', '/nowhere']) {
        const res = await t.app.inject({ method: 'GET', url });
        expect(res.headers['x-content-type-options']).toBe('nosniff');
        expect(res.headers['content-security-policy']).toBe("default-src 'none';frame-ancestors 'none'");
        expect(res.headers['x-frame-options']).toBe('DENY');
      }
    });

    it('serves /docs with a CSP that lets the page load its own scripts and styles', async () => {
      const page = await t.app.inject({ method: 'GET', url: '/docs' });
      expect(page.statusCode).toBe(200);
      expect(page.headers['content-type']).toMatch(/^text\/html/);
      const csp = String(page.headers['content-security-policy']);
      expect(csp).toMatch(/script-src 'self'/);
      expect(csp).toMatch(/style-src 'self'/);
      expect(csp).not.toMatch(/upgrade-insecure-requests/);
      const assets = [...page.body.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
      expect(assets.length).toBeGreaterThan(2);
      for (const asset of assets) {
        expect(asset, 'same-origin asset').toMatch(/^\/docs\//);
        const res = await t.app.inject({ method: 'GET', url: asset });
        expect(res.statusCode, asset).toBe(200);
      }
    });
  });

  describe('body limit', () => {
    it('accepts a body under BODY_LIMIT_BYTES', async () => {
      const res = await t.app.inject({ method: 'POST', url: '/probe/notes', payload: { text: 'x'.repeat(1500) } });
      expect(res.statusCode).toBe(201);
    });

    it('answers a larger body with 413 PAYLOAD_TOO_LARGE and writes nothing', async () => {
      const before = await rowCount(t.db.db, 'probe_note');
      const res = await t.app.inject({ method: 'POST', url: '/probe/notes', payload: { text: 'x'.repeat(3000) } });
      expect(res.statusCode).toBe(413);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.json()).toMatchObject({
        status: 413,
        code: 'PAYLOAD_TOO_LARGE',
        requestId: res.headers['x-request-id'],
      });
      expect(await rowCount(t.db.db, 'probe_note')).toBe(before);
    });
  });

  describe('CORS (default: any origin)', () => {
    it('answers a preflight from any origin, allowing our headers and exposing x-request-id', async () => {
      const res = await t.app.inject(preflight('https://shop.example'));
      expect(res.statusCode).toBe(204);
      expect(res.headers['access-control-allow-origin']).toBe('*');
      expect(res.headers['access-control-allow-methods']).toMatch(/POST/);
      expect(res.headers['access-control-allow-headers']).toMatch(/idempotency-key/);
      expect(res.headers['access-control-allow-headers']).toMatch(/authorization/);
      const get = await t.app.inject({
        method: 'GET',
        url: '/health/live',
        headers: { origin: 'https://shop.example' },
      });
      expect(get.headers['access-control-allow-origin']).toBe('*');
      expect(get.headers['access-control-expose-headers']).toMatch(/x-request-id/);
    });
  });
});

describe('CORS with a list of origins', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { CORS_ORIGINS: 'https://shop.example, https://admin.example' } });
  });
  afterAll(() => t.close());

  it('allows a listed origin by name and varies on Origin', async () => {
    const res = await t.app.inject(preflight('https://admin.example'));
    expect(res.statusCode).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe('https://admin.example');
    expect(res.headers.vary).toMatch(/Origin/);
  });

  it('gives an unlisted origin no allow-origin header', async () => {
    const res = await t.app.inject(preflight('https://evil.example'));
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    const get = await t.app.inject({ method: 'GET', url: '/health/live', headers: { origin: 'https://evil.example' } });
    expect(get.statusCode).toBe(200);
    expect(get.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('CORS turned off (empty CORS_ORIGINS)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { CORS_ORIGINS: '' } });
  });
  afterAll(() => t.close());

  it('sends no CORS headers and does not answer preflights', async () => {
    const res = await t.app.inject(preflight('https://shop.example'));
    expect(res.statusCode).toBe(404);
    expect(corsHeaders(res.headers)).toEqual({});
    const get = await t.app.inject({ method: 'GET', url: '/health/live', headers: { origin: 'https://shop.example' } });
    expect(get.statusCode).toBe(200);
    expect(corsHeaders(get.headers)).toEqual({});
  });
});
