import type { paths } from '@backroom/client';
import { api } from '../../../api/client';

export type Endpoint =
  paths['/v1/admin/webhook-endpoints']['get']['responses']['200']['content']['application/json']['data'][number];
export type Delivery =
  paths['/v1/admin/webhook-deliveries']['get']['responses']['200']['content']['application/json']['data'][number];
export type DeliveryDetail =
  paths['/v1/admin/webhook-deliveries/{id}']['get']['responses']['200']['content']['application/json'];

export const webhookKeys = {
  all: ['webhooks'] as const,
  endpoints: ['webhooks', 'endpoints'] as const,
  eventTypes: ['webhooks', 'event-types'] as const,
  deliveries: (endpointId: string | undefined, status: string | undefined, cursor: string | undefined) =>
    ['webhooks', 'deliveries', endpointId ?? '', status ?? '', cursor ?? ''] as const,
  delivery: (id: string) => ['webhooks', 'delivery', id] as const,
};

export async function fetchEndpoints(signal?: AbortSignal): Promise<Endpoint[]> {
  const all: Endpoint[] = [];
  let cursor: string | undefined;
  do {
    const { data } = await api.GET('/v1/admin/webhook-endpoints', {
      params: { query: { limit: 100, ...(cursor ? { cursor } : {}) } },
      signal,
    });
    all.push(...data.data);
    cursor = data.nextCursor ?? undefined;
  } while (cursor);
  return all;
}

export async function fetchEventTypes(signal?: AbortSignal) {
  return (await api.GET('/v1/admin/webhook-event-types', { signal })).data.data;
}

export async function fetchDeliveries(
  endpointId: string | undefined,
  status: Delivery['status'] | undefined,
  cursor: string | undefined,
  signal?: AbortSignal,
) {
  return (
    await api.GET('/v1/admin/webhook-deliveries', {
      params: {
        query: {
          limit: 20,
          ...(endpointId ? { endpointId } : {}),
          ...(status ? { status } : {}),
          ...(cursor ? { cursor } : {}),
        },
      },
      signal,
    })
  ).data;
}

export async function fetchDelivery(id: string, signal?: AbortSignal): Promise<DeliveryDetail> {
  return (await api.GET('/v1/admin/webhook-deliveries/{id}', { params: { path: { id } }, signal })).data;
}
