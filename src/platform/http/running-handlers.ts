import type { FastifyInstance } from 'fastify';

declare module 'fastify' {
  interface FastifyInstance {
    /** Resolves true once no route handler is running (false when `timeoutMs` passed first). */
    handlersIdle(timeoutMs: number): Promise<boolean>;
  }
}

/**
 * Counts route handlers while they run. `app.close()` waits for open connections only: a client
 * that hung up has no connection left, but its handler may still be in the middle of a
 * transaction. Shutdown waits for `handlersIdle` before closing the database, so such a handler
 * finishes (or rolls back) instead of failing on a destroyed pool. Register before any route.
 */
export function trackRunningHandlers(app: FastifyInstance): void {
  let running = 0;
  let wake: (() => void)[] = [];
  app.addHook('onRoute', (route) => {
    const handler = route.handler;
    route.handler = async function tracked(this: unknown, request, reply) {
      running++;
      try {
        const result = await handler.call(this as FastifyInstance, request, reply);
        // A callback-style handler (e.g. @fastify/static's) returns undefined and sends later: returning the
        // reply tells Fastify to wait for that send instead of answering an empty 200 at once.
        return result === undefined && !reply.sent ? reply : result;
      } finally {
        running--;
        if (running === 0) {
          for (const w of wake) w();
          wake = [];
        }
      }
    };
  });
  app.decorate('handlersIdle', async (timeoutMs: number) => {
    if (running === 0) return true;
    let timer: NodeJS.Timeout | undefined;
    const idle = new Promise<boolean>((resolve) => wake.push(() => resolve(true)));
    const late = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    try {
      return await Promise.race([idle, late]);
    } finally {
      clearTimeout(timer);
    }
  });
}
