import type { paths } from '@backroom/client';
import { useQuery } from '@tanstack/react-query';
import { api } from '../../../api/client';
import { useCan } from '../../../auth/Can';

/** The order detail's shapes, as the client's generated types give them (the API decides every number). */
export type Order = paths['/v1/admin/orders/{id}']['get']['responses']['200']['content']['application/json'];
export type OrderLine = Order['lines'][number];
export type Fulfillment = Order['fulfillments'][number];
export type OrderReturn = Order['returns'][number];
export type TimelineEntry = Order['timeline'][number];
export type Location =
  paths['/v1/admin/inventory/locations']['get']['responses']['200']['content']['application/json']['data'][number];
export type ReturnReason = OrderReturn['lines'][number]['reason'];

/**
 * Query keys. The orders list (ListPage with `['orders']`) is cached under `['orders', 'list', …]`; one order under
 * `['orders', 'detail', id]`. An action on an order invalidates exactly that order and the lists that show its
 * statuses (orderChanged).
 */
export const orderKeys = {
  all: ['orders'] as const,
  lists: ['orders', 'list'] as const,
  detail: (id: string) => ['orders', 'detail', id] as const,
  locations: ['inventory', 'locations'] as const,
};

/** What an action on order `id` changes: its detail (the packing slip reads the same) and the lists. */
export const orderChanged = (id: string) => [orderKeys.detail(id), orderKeys.lists];

export async function fetchOrder(id: string, signal?: AbortSignal): Promise<Order> {
  const { data } = await api.GET('/v1/admin/orders/{id}', { params: { path: { id } }, signal });
  return data;
}

export function useOrder(id: string) {
  return useQuery({ queryKey: orderKeys.detail(id), queryFn: ({ signal }) => fetchOrder(id, signal) });
}

/**
 * Stock locations, for the fulfil and receive dialogs. Only members with `inventory:read` can list them; the others
 * leave the choice to the server (fulfil: where the units are reserved; receive: the fulfilment's location).
 */
export function useLocations() {
  const allowed = useCan('inventory:read');
  return useQuery({
    queryKey: orderKeys.locations,
    enabled: allowed,
    staleTime: 5 * 60_000,
    queryFn: async ({ signal }) => (await api.GET('/v1/admin/inventory/locations', { signal })).data.data,
  });
}

/** `Idempotency-Key` header for one user intent (useApiMutation hands the key to the mutation function). */
export const idempotent = (idempotencyKey: string) => ({ headers: { 'Idempotency-Key': idempotencyKey } });

/** The return reasons the API accepts, with their labels. */
export const returnReasons: { value: ReturnReason; label: string }[] = [
  { value: 'damaged', label: 'Damaged' },
  { value: 'wrong_item', label: 'Wrong item' },
  { value: 'not_as_described', label: 'Not as described' },
  { value: 'no_longer_needed', label: 'No longer needed' },
  { value: 'other', label: 'Other' },
];

export const reasonLabel = (reason: string) => returnReasons.find((r) => r.value === reason)?.label ?? reason;

/** A postal address as orders store it (the checkout's address shape); unknown keys are ignored. */
export interface PostalAddress {
  firstName?: string | null;
  lastName?: string | null;
  company?: string | null;
  line1?: string | null;
  line2?: string | null;
  city?: string | null;
  postalCode?: string | null;
  region?: string | null;
  countryCode?: string | null;
  phone?: string | null;
}

export function asAddress(value: unknown): PostalAddress | null {
  return value && typeof value === 'object' ? (value as PostalAddress) : null;
}

/** The lines of an address as a label prints them. */
export function addressLines(a: PostalAddress): string[] {
  const name = [a.firstName, a.lastName].filter(Boolean).join(' ');
  const cityLine = [a.postalCode, a.city].filter(Boolean).join(' ');
  return [name, a.company, a.line1, a.line2, cityLine, a.region, a.countryCode].filter(
    (s): s is string => typeof s === 'string' && s.trim() !== '',
  );
}
