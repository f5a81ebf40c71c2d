import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seed, seedSteps } from '../../src/seed.js';
import { signUp } from '../identity/customers.helpers.js';
import { auth, staffSession } from '../identity/staff.helpers.js';
import { placeOrder } from '../orders/placed-order.helpers.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { buildRequest, IdPool, type OpenApiDoc, ResponseChecker, type Target, targets } from './fuzz.support.js';
import { prng, type Rng } from './fuzz.values.js';

/**
 * The schema fuzzer: for every operation in /openapi.json, valid and broken requests (wrong types,
 * boundaries, NUL and lone surrogates, huge strings and numbers, unknown and missing fields, garbage
 * ids) as anonymous, a customer, a read-only staff member and a full-access secret key. Every answer
 * must be < 500, every 4xx problem+json with a `code`, and every answer what the operation documents.
 *
 * FUZZ_SEED replays a run (each request's values come from the seed and its index); FUZZ_REQUESTS
 * sets the count (`npm run fuzz` runs a long one).
 */
const SEED = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
// Once per CI, on the embedded database (the same PostgreSQL parser and types, compiled to WASM): the answers depend on
// validation and on how errors map, not on the server. On PostgreSQL it runs only when FUZZ_REQUESTS asks for it.
const REQUESTS = Number(process.env.FUZZ_REQUESTS ?? (process.env.TEST_DATABASE_URL ? 0 : 3000));

type Who = 'anonymous' | 'customer' | 'readOnly' | 'fullKey';

/** Operations that end the caller's own session: each such request gets a throwaway principal. */
const endsSession = new Set([
  'DELETE /v1/store/auth/sessions',
  'DELETE /v1/store/auth/sessions/current',
  'POST /v1/store/customers/me/password',
  'DELETE /v1/admin/auth/sessions',
  'DELETE /v1/admin/auth/sessions/current',
  'POST /v1/admin/staff/me/password',
  'DELETE /v1/admin/staff/me/mfa',
]);

/** Mostly the principals a route is for, sometimes the wrong ones. */
function principalFor(target: Target, r: Rng): Who {
  const admin = target.path.startsWith('/v1/admin/');
  const x = r.next();
  if (admin) return x < 0.5 ? 'fullKey' : x < 0.75 ? 'readOnly' : x < 0.9 ? 'customer' : 'anonymous';
  return x < 0.45 ? 'customer' : x < 0.8 ? 'anonymous' : x < 0.9 ? 'fullKey' : 'readOnly';
}

interface Finding {
  count: number;
  example: string;
}

let t: TestApp;
let doc: OpenApiDoc;
const tokens: Record<Who, string | undefined> = {
  anonymous: undefined,
  customer: undefined,
  readOnly: undefined,
  fullKey: undefined,
};
let pool: IdPool;

async function freshToken(who: Who): Promise<string | undefined> {
  if (who === 'customer') return (await signUp(t)).token;
  if (who === 'readOnly') return (await staffSession(t, 'role_read_only')).token;
  return tokens[who];
}

/** Is each principal still signed in? A fuzz request that ends one would make the rest of the run moot. */
async function principalsAlive(): Promise<string[]> {
  const probes: [Who, string][] = [
    ['customer', '/v1/store/customers/me'],
    ['readOnly', '/v1/admin/staff/me'],
    ['fullKey', '/v1/admin/roles'],
  ];
  const dead: string[] = [];
  for (const [who, url] of probes) {
    const res = await t.app.inject({ method: 'GET', url, headers: auth(tokens[who]!) });
    if (res.statusCode !== 200) dead.push(`${who} (${res.statusCode})`);
  }
  return dead;
}

beforeAll(async () => {
  t = await createTestApp({ env: { RATE_LIMIT_MAX: '1000000' } });
  // The demo catalog (options, categories, collections); placeOrder below brings its own regions.
  await seed(
    t.db.db,
    seedSteps.filter((s) => s.name === 'demo catalog and stock'),
  );
  const owner = await staffSession(t);
  const key = await t.app.inject({
    method: 'POST',
    url: '/v1/admin/api-keys',
    headers: auth(owner.token),
    payload: { name: 'fuzz', kind: 'secret', permissions: ['all'] },
  });
  const readOnly = await staffSession(t, 'role_read_only');
  const placed = await placeOrder(t, { customer: true });
  tokens.fullKey = key.json<{ key: string }>().key;
  tokens.readOnly = readOnly.token;
  tokens.customer = placed.customerToken!;
  const me = await t.app.inject({ method: 'GET', url: '/v1/store/customers/me', headers: auth(tokens.customer) });
  pool = new IdPool(new Set([owner.id, readOnly.id, key.json<{ id: string }>().id, me.json<{ id: string }>().id]));
  doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json<OpenApiDoc>();
  // Real ids first: every list and detail page, read by the key (admin) and the customer (store).
  for (const pass of [0, 1]) {
    for (const target of targets(doc).filter((x) => x.method === 'GET')) {
      const hasParams = target.path.includes('{');
      if (hasParams !== (pass === 1) || target.path.endsWith('/stream')) continue;
      const r = prng(SEED + pass);
      const req = buildRequest(target, pool, r, false, SEED);
      for (const who of ['fullKey', 'customer'] as const) {
        const res = await t.app.inject({ ...req, method: 'GET', headers: { ...req.headers, ...auth(tokens[who]!) } });
        if (res.statusCode === 200 && String(res.headers['content-type']).includes('json')) pool.harvest(res.json());
      }
    }
  }
}, 240_000);
afterAll(async () => {
  await t?.close();
});

describe('schema fuzzer', () => {
  it.skipIf(REQUESTS === 0)(
    `answers ${REQUESTS} generated requests with no 5xx, problem+json 4xx and documented shapes`,
    async () => {
      const ops = targets(doc);
      const checker = new ResponseChecker(doc);
      const findings = new Map<string, Finding>();
      const statuses = new Map<number, number>();
      const spent = new Map<string, number>();
      const note = (key: string, example: string) => {
        const f = findings.get(key) ?? { count: 0, example };
        f.count++;
        findings.set(key, f);
      };
      for (let i = 0; i < REQUESTS; i++) {
        const target = ops[i % ops.length]!;
        // Each request's choices come from the seed and its index alone, so one request can be replayed.
        const requestSeed = (SEED + Math.imul(i + 1, 0x9e3779b1)) >>> 0;
        const r = prng(requestSeed);
        const who = principalFor(target, r);
        const req = buildRequest(target, pool, r, r.chance(0.65), requestSeed);
        const name = `${target.method} ${target.path}`;
        const started = performance.now();
        const token = endsSession.has(name) ? await freshToken(who) : tokens[who];
        const remoteAddress = `10.${r.int(256)}.${r.int(256)}.${1 + r.int(254)}`;
        const res = await t.app.inject({
          method: req.method as 'GET',
          url: req.url,
          headers: { ...req.headers, ...(token ? auth(token) : {}) },
          ...(req.payload !== undefined ? { payload: req.payload } : {}),
          remoteAddress,
        });
        spent.set(name, (spent.get(name) ?? 0) + performance.now() - started);
        statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
        if (res.statusCode < 300 && String(res.headers['content-type']).includes('json')) pool.harvest(res.json());
        const example = `#${i} as ${who}, ${req.label}: ${req.method} ${req.url.slice(0, 160)} → ${res.statusCode} ${res.body.slice(0, 300)}`;
        for (const problem of checker.check(target, res)) note(`${name}: ${problem}`, example);
        if (i % 250 === 249) {
          for (const dead of await principalsAlive()) note(`principal ${dead} signed out during the run`, example);
        }
      }
      const report = [...findings].map(([k, f]) => `${k} (×${f.count})\n    e.g. ${f.example}`);
      if (report.length) {
        console.error(`schema fuzzer: FUZZ_SEED=${SEED} FUZZ_REQUESTS=${REQUESTS}\n${report.join('\n')}`);
      }
      if (process.env.FUZZ_VERBOSE) {
        console.error(`statuses (FUZZ_SEED=${SEED}):`, Object.fromEntries(statuses), 'ids known:', pool.size());
        const slowest = [...spent].sort((a, b) => b[1] - a[1]).slice(0, 12);
        console.error(
          'slowest operations (ms in total):',
          slowest.map(([k, ms]) => `${k} ${Math.round(ms)}`),
        );
      }
      expect(report, `replay with FUZZ_SEED=${SEED} FUZZ_REQUESTS=${REQUESTS}`).toEqual([]);
    },
    60_000 + REQUESTS * 250,
  );
});
