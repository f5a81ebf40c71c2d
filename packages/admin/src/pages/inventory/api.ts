import type { paths } from '@backroom/client';
import { api } from '../../api/client';

/** The inventory API's shapes, as the client's generated types give them. */
export type Item = paths['/v1/admin/inventory/items/{id}']['get']['responses']['200']['content']['application/json'];
export type Level = Item['levels'][number];
export type Location =
  paths['/v1/admin/inventory/locations']['get']['responses']['200']['content']['application/json']['data'][number];
export type MovementPage =
  paths['/v1/admin/inventory/items/{id}/movements']['get']['responses']['200']['content']['application/json'];
export type Movement = MovementPage['data'][number];
type ItemQuery = NonNullable<paths['/v1/admin/inventory/items']['get']['parameters']['query']>;
export type MovementQuery = NonNullable<
  paths['/v1/admin/inventory/items/{id}/movements']['get']['parameters']['query']
>;
export type MovementReason = NonNullable<MovementQuery['reason']>;
export type AdjustBody = NonNullable<
  paths['/v1/admin/inventory/items/{id}/adjustments']['post']['requestBody']
>['content']['application/json'];
export type AdjustmentReason = AdjustBody['reason'];
export type TransferBody = NonNullable<
  paths['/v1/admin/inventory/transfers']['post']['requestBody']
>['content']['application/json'];
export type ItemSettings = NonNullable<
  paths['/v1/admin/inventory/items/{id}']['patch']['requestBody']
>['content']['application/json'];

/**
 * Query keys: a mutation or a live stock event invalidates exactly what it changes — one item (its levels and
 * ledger) and the lists that show it.
 */
export const inventoryKeys = {
  all: ['inventory'] as const,
  lists: ['inventory', 'list'] as const,
  item: (id: string) => ['inventory', 'item', id] as const,
  movements: (id: string) => ['inventory', 'item', id, 'movements'] as const,
  locations: ['inventory', 'locations'] as const,
};

/** The reasons staff may give for an adjustment (the server's list; the ledger also writes sold, hold, …). */
export const adjustmentReasons: { value: AdjustmentReason; label: string }[] = [
  { value: 'cycle_count', label: 'Stock count' },
  { value: 'correction', label: 'Correction' },
  { value: 'received', label: 'Received' },
  { value: 'return', label: 'Customer return' },
  { value: 'restock', label: 'Restock' },
  { value: 'damaged', label: 'Damaged' },
  { value: 'lost', label: 'Lost' },
  { value: 'found', label: 'Found' },
];

/** Every reason the ledger writes, for the history filter and its labels. */
export const movementReasons: { value: MovementReason; label: string }[] = [
  ...adjustmentReasons,
  { value: 'sold', label: 'Sold' },
  { value: 'hold', label: 'Held for a cart' },
  { value: 'release', label: 'Hold released' },
  { value: 'expired', label: 'Hold expired' },
  { value: 'commit', label: 'Reserved for an order' },
  { value: 'fulfil', label: 'Fulfilled' },
  { value: 'transfer', label: 'Transfer' },
];

export const reasonLabel = (reason: string) => movementReasons.find((r) => r.value === reason)?.label ?? reason;

export async function fetchLocations(signal?: AbortSignal): Promise<Location[]> {
  return (await api.GET('/v1/admin/inventory/locations', { signal })).data.data;
}

export async function fetchItem(id: string, signal?: AbortSignal): Promise<Item> {
  return (await api.GET('/v1/admin/inventory/items/{id}', { params: { path: { id } }, signal })).data;
}

export async function fetchItems(query: ItemQuery, signal?: AbortSignal) {
  return (await api.GET('/v1/admin/inventory/items', { params: { query }, signal })).data;
}

export async function fetchMovements(id: string, query: MovementQuery, signal?: AbortSignal) {
  return (await api.GET('/v1/admin/inventory/items/{id}/movements', { params: { path: { id }, query }, signal })).data;
}

const idempotency = (key: string) => ({ 'Idempotency-Key': key });

export async function adjust(id: string, body: AdjustBody, idempotencyKey: string): Promise<Item> {
  return (
    await api.POST('/v1/admin/inventory/items/{id}/adjustments', {
      params: { path: { id } },
      body,
      headers: idempotency(idempotencyKey),
    })
  ).data;
}

export async function transfer(body: TransferBody, idempotencyKey: string): Promise<Item> {
  return (await api.POST('/v1/admin/inventory/transfers', { body, headers: idempotency(idempotencyKey) })).data;
}

export async function saveSettings(id: string, body: ItemSettings, idempotencyKey: string): Promise<Item> {
  return (
    await api.PATCH('/v1/admin/inventory/items/{id}', {
      params: { path: { id } },
      body,
      headers: idempotency(idempotencyKey),
    })
  ).data;
}
