import type { ServerResponse } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { App } from './types.js';

/** One open Server-Sent Events answer. */
export interface EventStream {
  /** True once the client went away or the server is closing: stop writing and polling. */
  readonly closed: boolean;
  /** Writes one event (`id` is what a reconnecting client sends back as Last-Event-ID). No-op once closed. */
  send(event: string, data: unknown, id?: string): void;
  /** Runs `fn` once when the stream ends, whoever ends it. */
  onEnd(fn: () => void): void;
}

/**
 * The routes' shared part of Server-Sent Events (the inventory stream, the dashboard stream): the registry of open
 * streams that `preClose` ends — or `app.close` would wait for them forever — and `open`, which takes the reply
 * over and sets up one stream (headers, reconnect delay, heartbeat, ending on either side's close).
 */
export function eventStreams(app: App, opts: { heartbeatMs: number }) {
  const open = new Set<() => void>();
  // Before the server waits for in-flight requests: end every stream, or close would hang.
  app.addHook('preClose', async () => {
    for (const end of [...open]) end();
  });

  return {
    open(request: FastifyRequest, reply: FastifyReply): EventStream {
      reply.hijack();
      const res: ServerResponse = reply.raw;
      res.writeHead(200, {
        ...(reply.getHeaders() as Record<string, string>),
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        // The stream is the whole life of the connection: closing it with the response lets app.close finish at
        // once instead of waiting for an idle keep-alive socket.
        connection: 'close',
        // Proxies (nginx) must pass events on as they come, not buffer them.
        'x-accel-buffering': 'no',
      });
      res.write('retry: 2000\n\n');

      const endHooks: (() => void)[] = [];
      let closed = false;
      // A comment line now and then keeps proxies and load balancers from closing an idle connection.
      const heartbeat = setInterval(() => {
        if (!closed) res.write(': heartbeat\n\n');
      }, opts.heartbeatMs);
      const end = () => {
        if (closed) return;
        closed = true;
        clearInterval(heartbeat);
        open.delete(end);
        for (const fn of endHooks) fn();
        if (!res.writableEnded) res.end();
      };
      open.add(end);
      request.raw.on('close', end);
      res.on('close', end);

      return {
        get closed() {
          return closed;
        },
        send(event, data, id) {
          if (closed) return;
          res.write(`${id === undefined ? '' : `id: ${id}\n`}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
        },
        onEnd(fn) {
          if (closed) fn();
          else endHooks.push(fn);
        },
      };
    },
  };
}
