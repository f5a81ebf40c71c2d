import type { App } from '../../platform/http/types.js';
import type { CatalogDeps } from './catalog.deps.js';
import { invalidatedCache } from './storefront.cache.js';
import { DetailParams, DetailQuery, ListQuery, ProductList, StoreProduct } from './storefront.schemas.js';
import { getStoreProduct, listStoreProducts } from './storefront.service.js';

const tags = ['store: products'];

export type StorefrontDeps = Pick<CatalogDeps, 'db' | 'listen' | 'showStockCounts' | 'cacheEntries'>;

/** Same query, any parameter order → same cache key. */
const normalise = (query: object) =>
  JSON.stringify(Object.entries(query).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

/**
 * Storefront product routes (public; the publishable key picks the channel). One SQL statement
 * per uncached request; cached responses are dropped on every committed catalog change.
 */
export async function storefrontRoutes(app: App, deps: StorefrontDeps) {
  const { db } = deps;
  const opts = { showStockCounts: deps.showStockCounts ?? false };
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
        response: { 200: ProductList },
      },
    },
    async (request) =>
      through(`list|${request.salesChannelId ?? ''}|${normalise(request.query)}`, () =>
        listStoreProducts(db, request.salesChannelId, request.query, opts),
      ),
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
        response: { 200: StoreProduct },
      },
    },
    async (request) =>
      through(
        `detail|${request.salesChannelId ?? ''}|${request.params.idOrHandle}|${request.query.currency ?? ''}`,
        () => getStoreProduct(db, request.salesChannelId, request.params.idOrHandle, request.query.currency, opts),
      ),
  );
}
