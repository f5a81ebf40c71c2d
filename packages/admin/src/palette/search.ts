import { useQueries } from '@tanstack/react-query';
import { api } from '../api/client';
import { formatMoney } from '../components/ui';

export interface Hit {
  /** The app path to open (also the item's identity). */
  href: string;
  title: string;
  subtitle?: string;
}

export interface HitGroup {
  label: string;
  hits: Hit[];
}

const LIMIT = 5;
/** `1042` or `#1042`: an order number. */
const orderNumber = (term: string) => (/^#?\d{1,18}$/.test(term) ? term.replace('#', '') : undefined);

/**
 * The palette's searches, each through the list API the page of that resource uses: orders by number, products by
 * title or SKU, customers by email (or name/phone). A list the member may not read is not asked. Results are cached
 * briefly per term, so typing back and forth costs nothing.
 */
export function usePaletteSearch(
  term: string,
  allowed: { orders: boolean; products: boolean; customers: boolean },
  open: boolean,
): { groups: HitGroup[]; loading: boolean } {
  const number = orderNumber(term);
  const active = open && term !== '';
  const results = useQueries({
    queries: [
      {
        queryKey: ['palette', 'orders', number],
        enabled: active && allowed.orders && number !== undefined,
        staleTime: 10_000,
        queryFn: async ({ signal }: { signal: AbortSignal }): Promise<Hit[]> => {
          const { data } = await api.GET('/v1/admin/orders', {
            params: { query: { q: number ?? '', limit: LIMIT } },
            signal,
          });
          return data.data.map((o) => ({
            href: `/orders/${o.id}`,
            title: `Order #${o.number}`,
            subtitle: [o.email, formatMoney(o.total), o.status.replace(/_/g, ' ')].join(' · '),
          }));
        },
      },
      {
        queryKey: ['palette', 'products', term],
        enabled: active && allowed.products,
        staleTime: 10_000,
        queryFn: async ({ signal }: { signal: AbortSignal }): Promise<Hit[]> => {
          const { data } = await api.GET('/v1/admin/products', {
            params: { query: { q: term, limit: LIMIT } },
            signal,
          });
          return data.data.map((p) => ({
            href: `/products/${p.id}`,
            title: p.title,
            subtitle: [p.skus.slice(0, 3).join(', '), p.status].filter(Boolean).join(' · '),
          }));
        },
      },
      {
        queryKey: ['palette', 'customers', term],
        enabled: active && allowed.customers,
        staleTime: 10_000,
        queryFn: async ({ signal }: { signal: AbortSignal }): Promise<Hit[]> => {
          const { data } = await api.GET('/v1/admin/customers', {
            params: { query: { q: term, limit: LIMIT } },
            signal,
          });
          return data.data.map((c) => {
            const name = [c.firstName, c.lastName].filter(Boolean).join(' ');
            return {
              href: `/customers/${c.id}`,
              title: c.email,
              ...(name ? { subtitle: name } : {}),
            };
          });
        },
      },
    ],
  });
  const [orders, products, customers] = results;
  return {
    groups: [
      { label: 'Orders', hits: orders?.data ?? [] },
      { label: 'Products', hits: products?.data ?? [] },
      { label: 'Customers', hits: customers?.data ?? [] },
    ],
    loading: results.some((r) => r.isFetching),
  };
}
