import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { staffSession } from '../identity/staff.helpers.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { call, createEndpoint, snapshot } from './endpoints.helpers.js';

/**
 * Bad input to the endpoint routes, with private URLs refused (the production default): each answer is
 * a 4xx problem naming the field, and nothing changes (every webhook row and the audit log compared).
 */

// A public address written as a literal: allowed without any DNS lookup.
const PUBLIC_URL = 'https://93.184.215.14/hook';

let t: TestApp;
let owner: string;
beforeAll(async () => {
  t = await createTestApp();
  owner = (await staffSession(t)).token;
});
afterAll(async () => {
  await t?.close();
});

interface Problem {
  code: string;
  errors?: { path: string; message: string }[];
}

/** Sends the request and checks it changed nothing; returns the problem. */
async function refused(
  status: number,
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  url: string,
  payload?: unknown,
  headers: Record<string, string> = {},
): Promise<Problem> {
  const before = await snapshot(t);
  const res = await call(t, owner, method, url, payload, headers);
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(await snapshot(t)).toEqual(before);
  return res.json<Problem>();
}

const paths = (p: Problem) => (p.errors ?? []).map((e) => e.path);

describe('webhook endpoint URLs (SSRF) with private URLs off', () => {
  it.each([
    ['http://93.184.215.14/hook', /https/],
    ['https://127.0.0.1/hook', /loopback/],
    ['https://10.0.0.1/hook', /private/],
    ['https://169.254.169.254/latest/meta-data', /linkLocal/],
    ['https://[::1]/hook', /loopback/],
    ['https://[::ffff:10.0.0.1]/hook', /private/],
    ['https://localhost/hook', /loopback/],
    ['https://user:pass@93.184.215.14/hook', /user name or password/],
    ['not a url', /absolute URL/],
  ])('refuses %s at creation, naming url', async (url, reason) => {
    const problem = await refused(400, 'POST', '/v1/admin/webhook-endpoints', { url, eventTypes: ['*'] });
    expect(problem.code).toBe('VALIDATION_FAILED');
    expect(problem.errors?.[0]?.path).toBe('/body/url');
    expect(problem.errors?.[0]?.message).toMatch(reason);
  });

  it('refuses a host that does not resolve', async () => {
    const problem = await refused(400, 'POST', '/v1/admin/webhook-endpoints', {
      url: 'https://backroom-test.invalid/hook',
      eventTypes: ['*'],
    });
    expect(paths(problem)).toEqual(['/body/url']);
    expect(problem.errors?.[0]?.message).toMatch(/does not resolve/);
  });

  it('accepts a public https address', async () => {
    const ep = await createEndpoint(t, owner, { url: PUBLIC_URL });
    expect(ep.url).toBe(PUBLIC_URL);
  });

  it('refuses a private URL on update too, and the endpoint is unchanged', async () => {
    const ep = await createEndpoint(t, owner, { url: PUBLIC_URL });
    const problem = await refused(
      400,
      'PATCH',
      `/v1/admin/webhook-endpoints/${ep.id}`,
      { url: 'https://10.1.2.3/x', description: 'moved' },
      { 'if-match': '1' },
    );
    expect(paths(problem)).toEqual(['/body/url']);
  });

  it('allows local http URLs when WEBHOOKS_ALLOW_PRIVATE_URLS is on', async () => {
    const dev = await createTestApp({ db: t.db, env: { WEBHOOKS_ALLOW_PRIVATE_URLS: 'true' } });
    try {
      for (const url of ['http://127.0.0.1:8080/hook', 'https://10.0.0.1/hook', 'http://localhost:3001/x']) {
        const res = await call(dev, owner, 'POST', '/v1/admin/webhook-endpoints', { url, eventTypes: ['*'] });
        expect(res.statusCode, url).toBe(201);
      }
      // Credentials in the URL stay refused even then (they would be shown and logged).
      const res = await call(dev, owner, 'POST', '/v1/admin/webhook-endpoints', {
        url: 'http://a:b@127.0.0.1/x',
        eventTypes: ['*'],
      });
      expect(res.statusCode).toBe(400);
    } finally {
      await dev.close();
    }
  });
});

describe('bad input to the endpoint routes', () => {
  const create = (body: unknown) => refused(400, 'POST', '/v1/admin/webhook-endpoints', body);

  it('names an unknown event type by its index, and `*` next to others', async () => {
    const unknown = await create({ url: PUBLIC_URL, eventTypes: ['order.placed', 'order.teleported'] });
    expect(paths(unknown)).toEqual(['/body/eventTypes/1']);
    const mixed = await create({ url: PUBLIC_URL, eventTypes: ['*', 'order.placed'] });
    expect(paths(mixed)).toEqual(['/body/eventTypes/0']);
    const ping = await create({ url: PUBLIC_URL, eventTypes: ['ping'] });
    expect(paths(ping)).toEqual(['/body/eventTypes/0']);
  });

  it.each([
    ['no url', { eventTypes: ['*'] }, '/body/url'],
    ['no event types', { url: PUBLIC_URL }, '/body/eventTypes'],
    ['empty event types', { url: PUBLIC_URL, eventTypes: [] }, '/body/eventTypes'],
    ['a url too long', { url: `${PUBLIC_URL}/${'a'.repeat(2048)}`, eventTypes: ['*'] }, '/body/url'],
    ['a url of the wrong type', { url: 42, eventTypes: ['*'] }, '/body/url'],
    ['enabled as text', { url: PUBLIC_URL, eventTypes: ['*'], enabled: 'yes' }, '/body/enabled'],
    [
      'a description too long',
      { url: PUBLIC_URL, eventTypes: ['*'], description: 'x'.repeat(501) },
      '/body/description',
    ],
    ['an unknown field', { url: PUBLIC_URL, eventTypes: ['*'], secret: 'whsec_mine' }, '/body/secret'],
  ])('refuses creation with %s', async (_label, body, path) => {
    const problem = await create(body);
    expect(problem.code).toBe('VALIDATION_FAILED');
    expect(paths(problem).join(' ')).toContain(path);
  });

  it('update: If-Match missing (428), malformed (400), stale (412); empty body (400); unknown id (404)', async () => {
    const ep = await createEndpoint(t, owner, { url: PUBLIC_URL });
    const url = `/v1/admin/webhook-endpoints/${ep.id}`;
    expect((await refused(428, 'PATCH', url, { description: 'x' })).code).toBe('PRECONDITION_REQUIRED');
    expect((await refused(400, 'PATCH', url, { description: 'x' }, { 'if-match': 'latest' })).code).toBe(
      'INVALID_IF_MATCH',
    );
    expect((await refused(412, 'PATCH', url, { description: 'x' }, { 'if-match': '7' })).code).toBe('VERSION_MISMATCH');
    expect((await refused(400, 'PATCH', url, {}, { 'if-match': '1' })).code).toBe('VALIDATION_FAILED');
    const badType = await refused(400, 'PATCH', url, { eventTypes: ['nope'] }, { 'if-match': '1' });
    expect(paths(badType)).toEqual(['/body/eventTypes/0']);
    await refused(
      404,
      'PATCH',
      '/v1/admin/webhook-endpoints/whep_01jd4m3k8sf6tb0z5g2n0c1xyz',
      { description: 'x' },
      {
        'if-match': '1',
      },
    );
  });

  it('delete: unknown id (404), stale If-Match (412)', async () => {
    const ep = await createEndpoint(t, owner, { url: PUBLIC_URL });
    await refused(404, 'DELETE', '/v1/admin/webhook-endpoints/whep_01jd4m3k8sf6tb0z5g2n0c1xyz');
    await refused(404, 'DELETE', '/v1/admin/webhook-endpoints/not-an-id');
    expect(
      (await refused(412, 'DELETE', `/v1/admin/webhook-endpoints/${ep.id}`, undefined, { 'if-match': '2' })).code,
    ).toBe('VERSION_MISMATCH');
  });

  it('rotate-secret: overlap out of range or not an integer (400), unknown id (404)', async () => {
    const ep = await createEndpoint(t, owner, { url: PUBLIC_URL });
    const url = `/v1/admin/webhook-endpoints/${ep.id}/rotate-secret`;
    for (const overlapHours of [169, -1, 1.5, '2']) {
      expect(paths(await refused(400, 'POST', url, { overlapHours })), String(overlapHours)).toContain(
        '/body/overlapHours',
      );
    }
    await refused(400, 'POST', url, { overlap: 2 });
    await refused(404, 'POST', '/v1/admin/webhook-endpoints/whep_01jd4m3k8sf6tb0z5g2n0c1xyz/rotate-secret', {});
  });

  it('test ping and reads: unknown or malformed ids (404), bad list parameters (400)', async () => {
    await refused(404, 'POST', '/v1/admin/webhook-endpoints/whep_01jd4m3k8sf6tb0z5g2n0c1xyz/test');
    await refused(404, 'GET', '/v1/admin/webhook-endpoints/whep_01jd4m3k8sf6tb0z5g2n0c1xyz');
    await refused(404, 'GET', '/v1/admin/webhook-endpoints/nope');
    expect(paths(await refused(400, 'GET', '/v1/admin/webhook-endpoints?cursor=prod_x'))).toEqual(['/query/cursor']);
    expect(paths(await refused(400, 'GET', '/v1/admin/webhook-endpoints?limit=0'))).toEqual(['/query/limit']);
    expect(paths(await refused(400, 'GET', '/v1/admin/webhook-endpoints?limit=101'))).toEqual(['/query/limit']);
  });
});
