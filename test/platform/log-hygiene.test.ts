import { Writable } from 'node:stream';
import type { FastifyPluginAsync } from 'fastify';
import { sql } from 'kysely';
import { pino } from 'pino';
import { Type } from 'typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maskCardNumbers } from '../../src/platform/card-numbers.js';
import { withTransaction } from '../../src/platform/db/transaction.js';
import type { App } from '../../src/platform/http/types.js';
import { loggerOptions } from '../../src/platform/logger.js';
import { createTestApp, type TestApp } from '../support/app.js';

/**
 * Logs never hold what they must not: a failed statement's parameters (a customer's password hash, email, name) and
 * card numbers, wherever they appear in a line. Every assertion reads the raw text the logger wrote.
 */

let t: TestApp;

const secret = {
  email: 'annabel.secret@example.com',
  hash: '$argon2id$v=19$m=19456,t=2,p=1$c2VjcmV0c2FsdA$Zm9yZ2VkaGFzaGZvcnRoZXRlc3Q',
  name: 'Annabelsecretname',
};
const secretValues = Object.values(secret);

const probes: FastifyPluginAsync = async (instance) => {
  const app = instance as App;
  const db = () => t.db.db;
  const ok = { 200: Type.Object({ ok: Type.Boolean() }) };
  const insert = (id: string | null, name = secret.name) => sql`
    insert into probe_customer (id, email, password_hash, first_name)
    values (${id}, ${secret.email}, ${secret.hash}, ${name})`;
  // Not-null violation: unmapped, so a logged 500; PostgreSQL's detail holds the whole failing row.
  app.post('/probe/not-null', { schema: { response: ok } }, async () => {
    await insert(null).execute(db());
    return { ok: true };
  });
  // The same inside a command's transaction.
  app.post('/probe/not-null-tx', { schema: { response: ok } }, async () => {
    await withTransaction(db(), (tx) => insert(null).execute(tx));
    return { ok: true };
  });
  // A data exception: PostgreSQL quotes the bad value in the message itself.
  app.post('/probe/bad-uuid', { schema: { response: ok } }, async () => {
    await sql`select ${secret.email}::uuid`.execute(db());
    return { ok: true };
  });
  // A failed statement whose error the code caught: COMMIT rolls back, the cause is logged with the 500.
  app.post('/probe/aborted', { schema: { response: ok } }, async () => {
    await withTransaction(db(), async (tx) => {
      await sql`select ${secret.email}::uuid`.execute(tx).catch(() => undefined);
    });
    return { ok: true };
  });
};

beforeAll(async () => {
  t = await createTestApp({ plugins: [probes] });
  await sql`
    create table probe_customer (
      id text primary key,
      email text not null,
      password_hash text not null,
      first_name text not null check (length(first_name) < 30)
    )`.execute(t.db.db);
});
afterAll(() => t.close());

/** The raw log text written while `fn` ran. */
async function logDuring(fn: () => Promise<unknown>): Promise<string> {
  const from = t.logs.raw.length;
  await fn();
  return t.logs.raw.slice(from).join('\n');
}

describe('a failed statement logs no parameters', () => {
  it.each([
    ['a not-null violation (the failing row in its detail)', '/probe/not-null', '23502'],
    ['a not-null violation inside a transaction', '/probe/not-null-tx', '23502'],
    ['a data exception quoting the value in its message', '/probe/bad-uuid', '22P02'],
    ['a caught failure that rolls the transaction back', '/probe/aborted', 'invalid input syntax for type uuid'],
  ])('%s: 500, what failed is logged, no hash, email or name', async (_, url, what) => {
    const text = await logDuring(async () => {
      const res = await t.app.inject({ method: 'POST', url });
      expect(res.statusCode).toBe(500);
      for (const value of secretValues) expect(res.body).not.toContain(value);
    });
    expect(text).toContain('unhandled error');
    // Still useful to an operator: what failed (SQLSTATE, constraint).
    expect(text).toContain(what);
    for (const value of secretValues) expect(text).not.toContain(value);
    expect(text).not.toContain('argon2id');
    expect(text).not.toMatch(/"(params|parameters|query|detail)"/);
  });

  it('keeps the cleaned error useful: SQLSTATE, constraint, table, and the code stays mappable', async () => {
    const err = await t.db.db
      .insertInto('probe_customer' as never)
      .values({ id: 'cus_2', email: secret.email, password_hash: secret.hash, first_name: 'y'.repeat(40) } as never)
      .execute()
      .catch((e: unknown) => e as Record<string, unknown>);
    expect(err).toMatchObject({ code: '23514' });
    expect(JSON.stringify(err)).toContain('probe_customer_first_name_check');
    for (const value of secretValues) expect(JSON.stringify(err)).not.toContain(value);
    expect(err).not.toHaveProperty('params');
    expect(err).not.toHaveProperty('parameters');
    expect(err).not.toHaveProperty('detail');
  });

  it('serializes any logged error without its statement data, however it got there', () => {
    const raw: string[] = [];
    const stream = new Writable({
      write: (chunk: Buffer, _enc, done) => {
        raw.push(chunk.toString('utf8'));
        done();
      },
    });
    const log = pino(loggerOptions({ level: 'info', format: 'json' }), stream);
    const driverLike = Object.assign(new Error('boom'), {
      code: 'XX000',
      query: 'insert into customer values ($1, $2)',
      params: [secret.email, secret.hash],
      parameters: [secret.name],
      detail: `Failing row contains (${secret.email})`,
    });
    log.error({ err: driverLike }, 'failed');
    log.error({ err: new Error('wrapped', { cause: driverLike }) }, 'failed again');
    const text = raw.join('');
    expect(text).toContain('XX000');
    for (const value of secretValues) expect(text).not.toContain(value);
    expect(text).not.toContain('insert into customer');
  });
});

describe('card numbers in log lines', () => {
  it('masks a card number in the URL of every request line', async () => {
    const text = await logDuring(async () => {
      const res = await t.app.inject({ method: 'GET', url: '/v1/store/products?q=4111111111111111' });
      expect(res.statusCode).toBe(200);
      const spaced = await t.app.inject({ method: 'GET', url: '/v1/store/products?q=5555+5555+5555+4444&limit=5' });
      expect(spaced.statusCode).toBe(200);
    });
    expect(text).not.toContain('4111111111111111');
    expect(text).toContain('q=************1111');
    expect(text).not.toContain('5555+5555+5555');
    expect(text).toContain('q=****+****+****+4444&limit=5');
  });

  it('masks one in a message, a binding or an error, whatever logger wrote it', async () => {
    const text = await logDuring(async () => {
      t.app.log.child({ ref: 'card 4242-4242-4242-4242' }).warn('customer typed 378282246310005 into a note');
      t.app.log.error({ err: new Error('bad 6011111111111117') }, 'failed');
    });
    for (const card of ['4242-4242-4242-4242', '378282246310005', '6011111111111117']) expect(text).not.toContain(card);
    expect(text).toContain('****-****-****-4242');
    expect(text).toContain('***********0005');
  });

  it('finds card numbers inside free text and leaves other numbers alone', () => {
    expect(maskCardNumbers('/v1/store/products?q=4111111111111111')).toBe('/v1/store/products?q=************1111');
    expect(maskCardNumbers('q=hello%204111111111111111')).toBe('q=hello%20************1111');
    expect(maskCardNumbers('q=4111%201111%201111%201111')).toBe('q=****%20****%20****%201111');
    expect(maskCardNumbers('4111 1111 1111 1111 exp 12/29')).toBe('**** **** **** 1111 exp 12/29');
    // A card right after other digit groups, and one followed by another group.
    expect(maskCardNumbers('2024-01-15 4111 1111 1111 1111')).toBe('2024-01-15 **** **** **** 1111');
    expect(maskCardNumbers('4111 1111 1111 1111 123')).toBe('**** **** **** 1111 123');
    for (const other of [
      '{"time":1765069325123,"pid":4111}', // a millisecond timestamp
      'tracking 00340434161094042557', // 20 digits: a longer run is no card
      'gtin 40063813339314',
      'luhn fails 4242424242424241',
      'id 41111111111111111111', // 20 digits starting like a Visa
      '"responseTime":12.4111111111111111', // a fraction
      'ord_01m8bty0qwf6evw3rgexwkpgkb',
    ]) {
      expect(maskCardNumbers(other), other).toBe(other);
    }
  });
});
