import type { paths } from '@backroom/client';
import { useQuery } from '@tanstack/react-query';
import { api } from '../../api/client';
import { useCan } from '../../auth/Can';

/** The catalog API's shapes (from the client's generated types) and the queries the product pages share. */

type Json<P extends keyof paths, M extends 'get' | 'post'> = paths[P][M] extends {
  responses: { 200: { content: { 'application/json': infer T } } };
}
  ? T
  : never;

export type ProductSummary = Json<'/v1/admin/products', 'get'>['data'][number];
export type ProductListQuery = NonNullable<paths['/v1/admin/products']['get']['parameters']['query']>;
export type Category = Json<'/v1/admin/categories', 'get'>['data'][number];
export type Collection = Json<'/v1/admin/collections', 'get'>['data'][number];
export type SalesChannel = Json<'/v1/admin/sales-channels', 'get'>['data'][number];

/**
 * Query keys. A product save invalidates its detail and the lists; category and collection changes invalidate
 * their own lists (product counts and memberships come from them).
 */
export const catalogKeys = {
  products: ['products'] as const,
  product: (id: string) => ['products', 'detail', id] as const,
  categories: ['categories'] as const,
  collections: ['collections'] as const,
  salesChannels: ['sales-channels'] as const,
  regions: ['regions'] as const,
};

export function useCategories() {
  return useQuery({
    queryKey: catalogKeys.categories,
    queryFn: async ({ signal }) => (await api.GET('/v1/admin/categories', { signal })).data.data,
    staleTime: 30_000,
  });
}

export function useCollections() {
  return useQuery({
    queryKey: catalogKeys.collections,
    queryFn: async ({ signal }) => (await api.GET('/v1/admin/collections', { signal })).data.data,
    staleTime: 30_000,
  });
}

export function useSalesChannels() {
  return useQuery({
    queryKey: catalogKeys.salesChannels,
    queryFn: async ({ signal }) => (await api.GET('/v1/admin/sales-channels', { signal })).data.data,
    staleTime: 60_000,
  });
}

/**
 * The shop's currencies, from its regions — only readable with `settings:manage`; without it the price grid starts
 * with the currencies the product already has and staff add others by code.
 */
export function useShopCurrencies(): string[] {
  return useShopCurrencyList().currencies;
}

/** The shop's currencies and whether they are still being read (a form can wait rather than change shape). */
export function useShopCurrencyList(): { currencies: string[]; loading: boolean } {
  const canRead = useCan('settings:manage');
  const regions = useQuery({
    queryKey: catalogKeys.regions,
    queryFn: async ({ signal }) => (await api.GET('/v1/admin/regions', { signal })).data.data,
    enabled: canRead,
    staleTime: 60_000,
  });
  return {
    currencies: [...new Set((regions.data ?? []).map((r) => r.currency))].sort(),
    loading: canRead && regions.isPending,
  };
}

export async function fetchProduct(id: string, signal?: AbortSignal) {
  return (await api.GET('/v1/admin/products/{id}', { params: { path: { id } }, signal })).data;
}
