import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import helmet, { type HelmetOptions } from 'helmet';

/**
 * The headers helmet would set for `options`, worked out once. The API's security headers do not
 * depend on the request, yet @fastify/helmet builds helmet's middleware anew for every request
 * (parsing the CSP directives each time, through an async hook): 11.6% of the server's CPU on
 * `GET /health/live` in a profile (bench `platform`). Running helmet once against a recording
 * response keeps helmet as the authority on what the headers are, at the cost of one object
 * assignment per request.
 */
export function securityHeaders(options: HelmetOptions): Readonly<Record<string, string>> {
  const headers: Record<string, string> = {};
  const recorder = {
    setHeader(name: string, value: string | number | readonly string[]) {
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
    },
    removeHeader(name: string) {
      delete headers[name.toLowerCase()];
    },
  };
  let failed: unknown;
  helmet(options)({} as IncomingMessage, recorder as unknown as ServerResponse, (err?: unknown) => {
    failed = err;
  });
  if (failed) throw failed;
  return Object.freeze(headers);
}

/**
 * Every answer carries the headers; a route that needs its own (the admin app's CSP, /docs) sets
 * them later in its own handler or onSend hook, which overrides these.
 */
export function registerSecurityHeaders(app: FastifyInstance, options: HelmetOptions): void {
  const headers = securityHeaders(options);
  app.addHook('onRequest', (_request, reply, done) => {
    reply.headers(headers);
    done();
  });
}
