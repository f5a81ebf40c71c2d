import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  BackroomError,
  createBackroomClient,
  EventStreamParser,
  type StreamEvent,
} from '../../packages/client/src/index.js';
import { staffSession } from '../identity/staff.helpers.js';
import { makeLocation, makeVariants, receive } from '../inventory/inventory.helpers.js';
import { createTestApp, type TestApp } from '../support/app.js';

describe('EventStreamParser', () => {
  it('parses events, multi-line data, ids, retry and comments, with lines split across chunks in any line ending', () => {
    const events: StreamEvent[] = [];
    const p = new EventStreamParser((e) => events.push(e));
    for (const chunk of [
      ': hello\r',
      '\nretry: 1500\n\nid: 1\nevent: move',
      'ment\ndata: {"a"',
      ':1}\r\n\r\n',
      'data: one\n',
      'data:two\r\r',
      'event: empty\n\n',
    ]) {
      p.push(chunk);
    }
    expect(events).toEqual([
      { event: 'movement', data: '{"a":1}', id: '1' },
      { event: 'message', data: 'one\ntwo', id: '1' },
    ]);
    expect(p.retryMs).toBe(1500);
    expect(p.lastEventId).toBe('1');
  });
});

interface Seen {
  url: string;
  headers: IncomingHttpHeaders;
}

/** A tiny SSE server: each connection is handled by the next script in `scripts` (the last one repeats). */
async function sseServer(scripts: ((res: ServerResponse, n: number) => void)[]) {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    seen.push({ url: req.url ?? '', headers: req.headers });
    const script = scripts[Math.min(seen.length - 1, scripts.length - 1)];
    script?.(res, seen.length);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    seen,
    baseUrl: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const open = (res: ServerResponse) => res.writeHead(200, { 'content-type': 'text/event-stream' });
const servers: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

describe('client.stream', () => {
  it('sends the token as Authorization (never in the URL), reconnects after the stream ends and resumes with Last-Event-ID', async () => {
    const s = await sseServer([
      (res) => {
        open(res);
        res.end('retry: 20\n\nid: 1\nevent: movement\ndata: {"n":1}\n\nid: 2\nevent: movement\ndata: {"n":2}\n\n');
      },
      (res) => {
        open(res);
        res.write('id: 3\nevent: movement\ndata: {"n":3}\n\n');
      },
    ]);
    servers.push(s);
    const client = createBackroomClient({ baseUrl: s.baseUrl, sessionToken: 'sess_secret_token' });
    const got: StreamEvent[] = [];
    const controller = new AbortController();
    const opened: number[] = [];
    const done = client.stream('/v1/admin/inventory/stream?itemId=inv_1', {
      signal: controller.signal,
      onOpen: () => opened.push(Date.now()),
      onEvent: (e) => {
        got.push(e);
        if (got.length === 3) controller.abort();
      },
    });
    await expect(done).resolves.toBeUndefined();
    expect(got.map((e) => [e.event, e.id, JSON.parse(e.data).n])).toEqual([
      ['movement', '1', 1],
      ['movement', '2', 2],
      ['movement', '3', 3],
    ]);
    expect(opened).toHaveLength(2);
    expect(s.seen).toHaveLength(2);
    for (const req of s.seen) {
      expect(req.url).toBe('/v1/admin/inventory/stream?itemId=inv_1');
      expect(req.url).not.toContain('sess_secret_token');
      expect(req.headers.authorization).toBe('Bearer sess_secret_token');
      expect(req.headers.accept).toBe('text/event-stream');
    }
    expect(s.seen[0]?.headers['last-event-id']).toBeUndefined();
    expect(s.seen[1]?.headers['last-event-id']).toBe('2');
  });

  it('starts from a given lastEventId and retries a 503 instead of giving up', async () => {
    const s = await sseServer([
      (res) => res.writeHead(503, { 'content-type': 'application/problem+json', 'retry-after': '0' }).end('{}'),
      (res) => {
        open(res);
        res.write('id: 8\ndata: hi\n\n');
      },
    ]);
    servers.push(s);
    const client = createBackroomClient({ baseUrl: s.baseUrl, secretKey: 'sk_test' });
    const controller = new AbortController();
    const retried: unknown[] = [];
    const got: StreamEvent[] = [];
    await client.stream('/events', {
      signal: controller.signal,
      lastEventId: '7',
      baseDelayMs: 10,
      onRetry: (e) => retried.push(e),
      onEvent: (e) => {
        got.push(e);
        controller.abort();
      },
    });
    expect(got).toEqual([{ event: 'message', data: 'hi', id: '8' }]);
    expect(retried).toHaveLength(1);
    expect(s.seen.map((r) => r.headers['last-event-id'])).toEqual(['7', '7']);
  });

  it('rejects with the API error on a 401 and does not reconnect', async () => {
    const s = await sseServer([
      (res) =>
        res
          .writeHead(401, { 'content-type': 'application/problem+json' })
          .end(JSON.stringify({ type: 'about:blank', title: 'Unauthorized', status: 401, code: 'UNAUTHENTICATED' })),
    ]);
    servers.push(s);
    const client = createBackroomClient({ baseUrl: s.baseUrl, sessionToken: 'expired' });
    const error = await client
      .stream('/events', { signal: new AbortController().signal, baseDelayMs: 10, onEvent: () => undefined })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackroomError);
    expect(error).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
    await new Promise((r) => setTimeout(r, 50));
    expect(s.seen).toHaveLength(1);
  });
});

describe('client.stream on the inventory stream', () => {
  let t: TestApp;
  afterAll(async () => {
    await t?.close();
  });

  it('receives a stock movement as it commits, with a staff session', async () => {
    t = await createTestApp();
    const base = await t.app.listen({ port: 0, host: '127.0.0.1' });
    const { token } = await staffSession(t, 'role_read_only');
    const [variant] = await makeVariants(t.db.db, 1);
    const location = await makeLocation(t.db.db);
    const client = createBackroomClient({ baseUrl: base, sessionToken: token });
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), 15_000);
    const got: StreamEvent[] = [];
    await client.stream(`/v1/admin/inventory/stream?itemId=${variant!.itemId}`, {
      signal: controller.signal,
      onOpen: () => void receive(t.db.db, variant!.itemId, location.id, 5),
      onEvent: (e) => {
        if (e.event !== 'movement') return;
        got.push(e);
        controller.abort();
      },
    });
    clearTimeout(timer);
    expect(got).toHaveLength(1);
    expect(JSON.parse(got[0]!.data)).toMatchObject({ itemId: variant!.itemId, deltaOnHand: 5, reason: 'received' });
    expect(got[0]!.id).toMatch(/\S/);
  });
});
