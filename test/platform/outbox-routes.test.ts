import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTransaction } from '../../src/platform/db/transaction.js';
import { appendEvent } from '../../src/platform/outbox/outbox.js';
import { auth, staffSession } from '../identity/staff.helpers.js';
import { createTestApp, type TestApp } from '../support/app.js';

let t: TestApp;
let owner: string;
beforeAll(async () => {
  t = await createTestApp();
  owner = (await staffSession(t)).token;
});
afterAll(async () => {
  await t?.close();
});

async function event(status: 'pending' | 'dead') {
  const id = await withTransaction(t.db.db, (tx) =>
    appendEvent<string>(tx, { type: 'probe.happened', payload: { n: 1 } }),
  );
  if (status === 'dead') {
    await t.db.db
      .updateTable('outbox_event')
      .set({ status: 'dead', attempts: 10, last_error: 'handler exploded' })
      .where('id', '=', id)
      .execute();
  }
  return id;
}

const list = (query: string, token = owner) =>
  t.app.inject({ method: 'GET', url: `/v1/admin/events${query}`, headers: auth(token) });
const retry = (id: string, token = owner) =>
  t.app.inject({ method: 'POST', url: `/v1/admin/events/${id}/retry`, headers: auth(token) });
const statusOf = async (id: string) =>
  await t.db.db
    .selectFrom('outbox_event')
    .select(['status', 'attempts'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow();

describe('outbox admin routes', () => {
  it('lists dead events with their last error and pages with a cursor', async () => {
    const ids = [await event('dead'), await event('dead'), await event('dead')];
    await event('pending');
    const first = await list('?status=dead&limit=2&order=desc');
    expect(first.statusCode).toBe(200);
    const page = first.json<{ data: { id: string; status: string; lastError: string }[]; nextCursor: string }>();
    expect(page.data.map((e) => e.id)).toEqual([ids[2], ids[1]]);
    expect(page.data[0]).toMatchObject({ status: 'dead', lastError: 'handler exploded', payload: { n: 1 } });
    const second = (await list(`?status=dead&limit=2&order=desc&cursor=${page.nextCursor}`)).json<{
      data: { id: string }[];
    }>();
    expect(second.data.map((e) => e.id)).toContain(ids[0]);
  });

  it('retries a dead event (pending again, fresh attempts, audited); a live one → 409, unknown → 404', async () => {
    const dead = await event('dead');
    expect((await retry(dead)).statusCode).toBe(204);
    expect(await statusOf(dead)).toEqual({ status: 'pending', attempts: 0 });
    const audit = await t.db.db.selectFrom('audit_log').select('action').where('target_id', '=', dead).execute();
    expect(audit.map((a) => a.action)).toEqual(['event.retried']);
    const again = await retry(dead);
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ code: 'EVENT_NOT_DEAD' });
    expect((await retry('evt_unknown')).statusCode).toBe(404);
  });

  it('reading needs events:read, retrying events:manage', async () => {
    const readOnly = (await staffSession(t, 'role_read_only')).token;
    expect((await list('', readOnly)).statusCode).toBe(200);
    const dead = await event('dead');
    expect((await retry(dead, readOnly)).statusCode).toBe(403);
    expect((await statusOf(dead)).status).toBe('dead');
  });
});
