import type { App } from '../../platform/http/types.js';
import type { CatalogDeps } from './catalog.deps.js';
import { invalidatedCache } from './storefront.cache.js';
import { cacheable, defaultHttpCache, noStoreOnError, sendCacheable } from './storefront.http-cache.js';
import {
  ConditionalHeaders,
  DetailParams,
  DetailQuery,
  ListQuery,
  ProductList,
  StoreProduct,
  storefrontCacheHeaders,
  storefrontNotModified,
} from './storefront.schemas.js';
import { readStoreList, readStoreProduct } from './storefront.service.js';

const tags = ['store: products'];

export type StorefrontDeps = Pick<CatalogDeps, 'readDb' | 'listen' | 'showStockCounts' | 'cacheEntries' | 'httpCache'>;

/** Same query, any parameter order → same cache key. */
const normalise = (query: object) =>
  JSON.stringify(Object.entries(query).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

/**
 * Storefront product routes (public; the publishable key picks the channel). One SQL statement
 * per uncached request; cached responses are dropped on every committed catalog change. Answers
 * carry an ETag, Cache-Control and surrogate keys (storefront.http-cache.ts); a matching
 * If-None-Match gets 304 from the cached tag without a statement.
 */
export async function storefrontRoutes(app: App, deps: StorefrontDeps) {
  // Reads only: the replica when one is configured (see CatalogDeps.readDb).
  const db = deps.readDb;
  const opts = { showStockCounts: deps.showStockCounts ?? false };
  const policy = deps.httpCache ?? defaultHttpCache;
  const cacheEntries = deps.cacheEntries ?? 2000;
  const cached =
    cacheEntries > 0
      ? await invalidatedCache(
          deps.listen,
          (err) => app.log.warn({ err }, 'catalog_changed LISTEN failed: storefront responses are not cached'),
          { maxEntries: cacheEntries },
        )
      : undefined;
  if (cached) app.addHook('onClose', async () => cached.stop());
  const through = <T>(key: string, load: () => Promise<T>) => (cached ? cached.cache.through(key, load) : load());

  app.get(
    '/v1/store/products',
    {
      config: { auth: 'public' },
      schema: {
        tags,
        summary: 'Products of the channel: filter, sort, search (typo tolerant), page by offset or cursor',
        description:
          'Prices are in `currency` (default: each product shows its only currency, or the first by code). ' +
          'Price sort and filters need `currency`. Unknown category/collection → an empty list.',
        querystring: ListQuery,
        headers: ConditionalHeaders,
        response: {
          200: { ...ProductList, headers: storefrontCacheHeaders },
          304: storefrontNotModified,
        },
      },
      onSend: noStoreOnError,
    },
    async (request, reply) => {
      const key = `list|${request.salesChannelId ?? ''}|${normalise(request.query)}`;
      const answer = await through(key, async () =>
        cacheable(await readStoreList(db, request.salesChannelId, request.query, opts), key, 'list'),
      );
      return sendCacheable(request, reply, answer, policy);
    },
  );

  app.get(
    '/v1/store/products/:idOrHandle',
    {
      config: { auth: 'public' },
      schema: {
        tags,
        summary: 'One product of the channel by id or handle, with variants, options, prices and availability',
        params: DetailParams,
        querystring: DetailQuery,
        headers: ConditionalHeaders,
        response: {
          200: { ...StoreProduct, headers: storefrontCacheHeaders },
          304: storefrontNotModified,
        },
      },
      onSend: noStoreOnError,
    },
    async (request, reply) => {
      const { idOrHandle } = request.params;
      const key = `detail|${request.salesChannelId ?? ''}|${idOrHandle}|${request.query.currency ?? ''}`;
      const answer = await through(key, async () =>
        cacheable(
          await readStoreProduct(db, request.salesChannelId, idOrHandle, request.query.currency, opts),
          key,
          'detail',
        ),
      );
      return sendCacheable(request, reply, answer, policy);
    },
  );
}
