import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { streamRoutes } from '../../src/modules/inventory/stream.routes.js';
import type { App } from '../../src/platform/http/types.js';
import { auth, staffSession } from '../identity/staff.helpers.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { makeLocation, makeVariants, receive } from './inventory.helpers.js';

let t: TestApp;
let base: string;
let token: string;
beforeAll(async () => {
  t = await createTestApp();
  token = (await staffSession(t, 'role_read_only')).token;
  base = await t.app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(() => t.close());

interface SseEvent {
  id?: string;
  event?: string;
  data?: string;
}

/** Opens the stream and collects events until `until` says stop (or the time runs out). */
async function collect(
  url: string,
  headers: Record<string, string>,
  until: (events: SseEvent[], raw: string) => boolean,
  ms = 8000,
) {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), ms);
  const res = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: ac.signal });
  const events: SseEvent[] = [];
  let raw = '';
  try {
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    while (!until(events, raw)) {
      const { value, done } = await reader.read();
      if (done) break;
      raw += decoder.decode(value, { stream: true });
      events.length = 0;
      for (const block of raw.split('\n\n')) {
        const e: SseEvent = {};
        for (const line of block.split('\n')) {
          const m = /^(id|event|data): (.*)$/.exec(line);
          if (m) e[m[1] as keyof SseEvent] = m[2];
        }
        if (e.event) events.push(e);
      }
    }
  } catch (err) {
    if (!ac.signal.aborted) throw err;
  } finally {
    clearTimeout(timer);
    ac.abort();
  }
  return { status: res.status, type: res.headers.get('content-type'), events, raw };
}

describe('GET /v1/admin/inventory/stream', () => {
  it('pushes each committed movement with its ledger id, and resumes after Last-Event-ID', async () => {
    const loc = await makeLocation(t.db.db);
    const [v] = await makeVariants(t.db.db, 1);
    const url = `${base}/v1/admin/inventory/stream?itemId=${v!.itemId}`;
    const live = collect(url, auth(token), (e) => e.length >= 2);
    await new Promise((r) => setTimeout(r, 300));
    await receive(t.db.db, v!.itemId, loc.id, 4);
    await receive(t.db.db, v!.itemId, loc.id, 6);
    const first = await live;
    expect(first.status).toBe(200);
    expect(first.type).toMatch(/^text\/event-stream/);
    const ids = await t.db.db
      .selectFrom('stock_movement')
      .select('id')
      .where('item_id', '=', v!.itemId)
      .orderBy('id')
      .execute();
    expect(first.events.map((e) => e.id)).toEqual(ids.map((i) => i.id));
    expect(JSON.parse(first.events[0]!.data!)).toMatchObject({
      itemId: v!.itemId,
      sku: v!.sku,
      deltaOnHand: 4,
      reason: 'received',
    });
    expect(JSON.parse(first.events[1]!.data!).after).toEqual({ onHand: 10, reserved: 0, held: 0, available: 10 });

    await receive(t.db.db, v!.itemId, loc.id, 1);
    const resumed = await collect(url, { ...auth(token), 'last-event-id': first.events[1]!.id! }, (e) => e.length >= 1);
    expect(resumed.events).toHaveLength(1);
    expect(JSON.parse(resumed.events[0]!.data!)).toMatchObject({ deltaOnHand: 1 });
    const replay = await collect(`${url}&lastEventId=${first.events[0]!.id}`, auth(token), (e) => e.length >= 2);
    expect(replay.events.map((e) => JSON.parse(e.data!).deltaOnHand)).toEqual([6, 1]);
  });

  it('answers 406 without Accept: text/event-stream, 401 without credentials', async () => {
    const res = await fetch(`${base}/v1/admin/inventory/stream`, { headers: auth(token) });
    expect(res.status).toBe(406);
    expect(((await res.json()) as { code: string }).code).toBe('NOT_ACCEPTABLE');
    expect(
      (await fetch(`${base}/v1/admin/inventory/stream`, { headers: { accept: 'text/event-stream' } })).status,
    ).toBe(401);
  });
});

describe('stream lifecycle', () => {
  it('sends heartbeats, and app.close ends open streams instead of hanging', async () => {
    const app = Fastify() as unknown as App;
    await streamRoutes(app, { db: t.db.db, streamHeartbeatMs: 50, streamPollMs: 20 });
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    const open = collect(
      `${url}/v1/admin/inventory/stream`,
      {},
      (_, raw) => raw.includes(': heartbeat') && raw.split(': heartbeat').length > 2,
      5000,
    );
    const got = await open;
    expect(got.status).toBe(200);
    expect(got.raw).toContain(': heartbeat');
    // Let the client's first connection go away (only the stream itself should be open at close).
    await new Promise((r) => setTimeout(r, 200));
    // A second stream stays open while the app closes.
    const ac = new AbortController();
    const res = await fetch(`${url}/v1/admin/inventory/stream`, {
      headers: { accept: 'text/event-stream' },
      signal: ac.signal,
    });
    const reader = res.body!.getReader();
    await reader.read();
    const started = Date.now();
    await app.close();
    expect(Date.now() - started).toBeLessThan(2000);
    // The server ended the response: the reader sees the end of the stream.
    let done = false;
    while (!done) done = (await reader.read()).done;
    ac.abort();
  });
});
