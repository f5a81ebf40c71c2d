import { createHash } from 'node:crypto';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../errors.js';
import type { RedisHandle } from '../redis.js';

export interface RateLimitOptions {
  max: number;
  windowSeconds: number;
  redis?: RedisHandle | undefined;
}

/** Operational routes are probed by load balancers and Prometheus, which must never be throttled. */
const exempt = (url: string) => url.startsWith('/health/') || url === '/metrics';

/**
 * The client a limit applies to: the credential when one is sent (so one API key or session gets
 * its own budget wherever it comes from), else the IP. The credential is hashed: limiter keys land
 * in Redis, and secrets never leave the process.
 */
function clientKey(request: FastifyRequest): string {
  const auth = request.headers.authorization;
  return auth ? `cred:${createHash('sha256').update(auth).digest('base64url').slice(0, 32)}` : `ip:${request.ip}`;
}

/**
 * General rate limits per IP or credential. With Redis the counters are shared by every node; an
 * outage skips limiting rather than failing requests (Redis is never load-bearing), and each node
 * keeps answering.
 */
export async function registerRateLimit(app: FastifyInstance, opts: RateLimitOptions) {
  await app.register(rateLimit, {
    global: true,
    max: opts.max,
    timeWindow: opts.windowSeconds * 1000,
    keyGenerator: clientKey,
    allowList: (request) => exempt(request.url),
    ...(opts.redis ? { redis: opts.redis.client, skipOnError: true, nameSpace: 'backroom:rl:' } : {}),
    errorResponseBuilder: (_request, context) =>
      new AppError(429, 'RATE_LIMITED', 'Too many requests', {
        detail: `Rate limit of ${context.max} requests per ${opts.windowSeconds} s exceeded. Retry in ${context.after}.`,
        headers: { 'retry-after': String(Math.max(1, Math.ceil(context.ttl / 1000))) },
      }),
  });
}
