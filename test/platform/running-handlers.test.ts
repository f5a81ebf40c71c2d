import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { trackRunningHandlers } from '../../src/platform/http/running-handlers.js';

/** A handler that runs until released, as a request mid-transaction would. */
function slowApp() {
  const app = Fastify();
  trackRunningHandlers(app);
  let release: () => void = () => {};
  const gate = new Promise<void>((r) => {
    release = r;
  });
  const state = { started: false, finished: false };
  app.get('/slow', async () => {
    state.started = true;
    await gate;
    state.finished = true;
    return { ok: true };
  });
  app.get('/fast', async () => ({ ok: true }));
  return { app, release, state };
}

async function abortedRequest(port: number, path: string): Promise<void> {
  await new Promise<void>((resolve) => {
    const req = request({ host: '127.0.0.1', port, path });
    req.on('error', () => resolve());
    req.end();
    setTimeout(() => {
      req.destroy();
      resolve();
    }, 100);
  });
}

describe('waiting for running handlers at shutdown', () => {
  it('app.close() returns while an abandoned request still runs; handlersIdle waits for it', async () => {
    const { app, release, state } = slowApp();
    await app.listen({ port: 0, host: '127.0.0.1' });
    await abortedRequest((app.server.address() as AddressInfo).port, '/slow');
    expect(state.started).toBe(true);
    await app.close();
    expect(state.finished).toBe(false);
    const idle = app.handlersIdle(5000);
    release();
    expect(await idle).toBe(true);
    expect(state.finished).toBe(true);
  });

  it('answers at once when nothing runs, and false when the timeout passes first', async () => {
    const { app, release } = slowApp();
    await app.ready();
    expect((await app.inject({ method: 'GET', url: '/fast' })).statusCode).toBe(200);
    expect(await app.handlersIdle(10)).toBe(true);
    const pending = app.inject({ method: 'GET', url: '/slow' });
    await new Promise((r) => setTimeout(r, 20));
    expect(await app.handlersIdle(30)).toBe(false);
    release();
    await pending;
    expect(await app.handlersIdle(10)).toBe(true);
    await app.close();
  });
});
