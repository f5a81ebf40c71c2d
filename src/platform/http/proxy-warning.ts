import type { FastifyInstance } from 'fastify';

/**
 * Behind a proxy or load balancer without TRUST_PROXY, every client has the proxy's address: one client's failed
 * logins lock out everyone behind it, and rate limits are shared by all. A request carrying `X-Forwarded-For`
 * while TRUST_PROXY is off is the sign of that setup, so the operator is told — once, then at most once per
 * `intervalMs` (with how many such requests came in between), never once per request.
 */
export function warnOnUntrustedProxy(
  app: FastifyInstance,
  opts: { trustProxy: boolean | string[]; intervalMs?: number },
): void {
  if (opts.trustProxy !== false) return;
  const intervalMs = opts.intervalMs ?? 60 * 60 * 1000;
  let nextAt = 0;
  let since = 0;
  app.addHook('onRequest', async (request) => {
    if (request.headers['x-forwarded-for'] === undefined) return;
    since++;
    const now = Date.now();
    if (now < nextAt) return;
    nextAt = now + intervalMs;
    request.log.warn(
      { proxyAddress: request.socket.remoteAddress, requestsWithForwardedFor: since },
      'requests carry X-Forwarded-For but TRUST_PROXY is off: every client behind this proxy shares its address for ' +
        "login lockouts and rate limits. Set TRUST_PROXY to the proxies' addresses (for example 10.0.0.0/8 or loopback).",
    );
    since = 0;
  });
}
