import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { withRequestId } from '../logger.js';
import type { Metrics } from '../metrics.js';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Accepts a caller's `x-request-id` when it is a sane token, otherwise makes one. */
export function requestIdFrom(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
}

const started = Symbol('startedAt');
const counted = Symbol('counted');
type Timed = FastifyRequest & { [started]?: bigint; [counted]?: boolean };

/**
 * Echoes the request id, makes it the log context of everything the request runs, and records
 * per-request metrics: duration by route *pattern* (never the raw URL, which would explode label
 * cardinality) and status, and requests in flight.
 */
export function registerRequestContext(app: FastifyInstance, metrics: Metrics) {
  app.addHook('onRequest', (request: Timed, reply, done) => {
    reply.header('x-request-id', request.id);
    request[started] = process.hrtime.bigint();
    metrics.httpInFlight.inc();
    // Everything after this hook runs inside the request's context (Fastify carries it across body
    // parsing), so any logger, not only `request.log`, writes the request id.
    withRequestId(request.id, done);
  });

  const finish = (request: Timed, status: number) => {
    const t0 = request[started];
    // Only requests that passed onRequest were counted in (not those refused before routing).
    if (request[counted] || t0 === undefined) return;
    request[counted] = true;
    metrics.httpInFlight.dec();
    metrics.httpRequestDuration.observe(
      { method: request.method, route: request.routeOptions.url ?? 'unmatched', status: String(status) },
      Number(process.hrtime.bigint() - t0) / 1e9,
    );
  };

  app.addHook('onResponse', async (request, reply) => finish(request, reply.statusCode));
  // A client that hangs up never gets an onResponse; still take it out of the in-flight gauge.
  app.addHook('onRequestAbort', async (request) => finish(request, 499));
}
