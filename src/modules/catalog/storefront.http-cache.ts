import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ifNoneMatchMatches } from '../../platform/http/if-none-match.js';
import { PUBLISHABLE_KEY_HEADER } from '../../platform/http/sales-channel.js';
import type { VersionedAnswer } from './storefront.service.js';

/**
 * HTTP caching of the storefront product answers, for browsers and a CDN in front of the API.
 *
 * - `ETag` (weak): a hash of the request (route, channel, normalised query) and the versions the
 *   answer was built from (each document row's version, the total, the next cursor), never of the
 *   body. The in-process cache keeps it next to the body, so a matching `If-None-Match` is answered
 *   `304` without a statement or a serialisation.
 * - `Cache-Control: public, max-age, stale-while-revalidate`: the answers depend on the URL and the
 *   publishable key (the channel) only — never on a signed-in customer — so shared caches may keep
 *   them; `Vary` names the key's header.
 * - `Surrogate-Key` (Fastly and others, space-separated) and `Cache-Tag` (Cloudflare,
 *   comma-separated): `product:<id>` for every product in the answer, plus `products` on lists. A
 *   catalog change emits the keys to purge as `catalog.storefront_changed` (see read-model.ts).
 */

export interface StorefrontHttpCache {
  /** `max-age` of list and detail answers, seconds (STOREFRONT_MAX_AGE_S). */
  maxAgeSeconds: number;
  /** `stale-while-revalidate`, seconds (STOREFRONT_SWR_S). */
  staleWhileRevalidateSeconds: number;
}

export const defaultHttpCache: StorefrontHttpCache = { maxAgeSeconds: 30, staleWhileRevalidateSeconds: 60 };

/** Bump when the answers' JSON shape changes: tags stored by clients before a deploy then stop matching. */
const ANSWER_FORMAT = '1';

/** Surrogate key of every list answer (a change can move any product into or out of any list). */
export const LIST_KEY = 'products';
/** Surrogate key of every answer that shows this product. */
export const productKey = (productId: string) => `product:${productId}`;

/** An answer ready to send, as the in-process cache keeps it. */
export interface CacheableAnswer<T> {
  body: T;
  etag: string;
  keys: string[];
  /**
   * The body as the route's serializer wrote it, kept after the first send. The response schemas'
   * unions make fast-json-stringify check branches with Ajv on every call; a cached answer is sent
   * many times, so it is serialised once.
   */
  json?: string;
}

/** Tags an answer read for `requestKey` (route, channel and normalised query: whatever else varies the body). */
export function cacheable<T>(
  answer: VersionedAnswer<T>,
  requestKey: string,
  kind: 'list' | 'detail',
): CacheableAnswer<T> {
  const hash = createHash('sha256')
    .update(`${ANSWER_FORMAT}\n${requestKey}\n${answer.versions.join('\n')}`)
    .digest('base64url')
    .slice(0, 27);
  const keys = answer.productIds.map(productKey);
  return { body: answer.body, etag: `W/"${hash}"`, keys: kind === 'list' ? [LIST_KEY, ...keys] : keys };
}

/** Adds `name` to the reply's `Vary` unless it is there (CORS may have put `Origin` in it already). */
function addVary(reply: FastifyReply, name: string): void {
  const current = reply.getHeader('vary');
  const list = (Array.isArray(current) ? current.join(',') : String(current ?? ''))
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
  if (list.includes('*') || list.some((v) => v.toLowerCase() === name)) return;
  reply.header('vary', [...list, name].join(', '));
}

/**
 * Sets the caching headers and sends the answer, or `304 Not Modified` (no body, the same headers)
 * when the request's `If-None-Match` matches its tag.
 */
export function sendCacheable<T>(
  request: FastifyRequest,
  reply: FastifyReply,
  answer: CacheableAnswer<T>,
  policy: StorefrontHttpCache,
): FastifyReply {
  reply.header('etag', answer.etag);
  reply.header(
    'cache-control',
    `public, max-age=${policy.maxAgeSeconds}, stale-while-revalidate=${policy.staleWhileRevalidateSeconds}`,
  );
  addVary(reply, PUBLISHABLE_KEY_HEADER);
  reply.header('surrogate-key', answer.keys.join(' '));
  reply.header('cache-tag', answer.keys.join(','));
  if (ifNoneMatchMatches(request.headers['if-none-match'], answer.etag)) return reply.code(304).send();
  // The route serializer answers a string for JSON bodies.
  answer.json ??= reply.serialize(answer.body) as string;
  // A string with a JSON content type is sent as it is (Fastify skips serialisation).
  return reply.type('application/json; charset=utf-8').send(answer.json);
}

/** Error answers (404 for an unpublished product, 400 …) are not kept: a later publish must show at once. */
export async function noStoreOnError(_request: FastifyRequest, reply: FastifyReply, payload: unknown) {
  if (reply.statusCode >= 400) reply.header('cache-control', 'no-store');
  return payload;
}
