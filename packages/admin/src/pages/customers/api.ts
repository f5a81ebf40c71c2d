import type { paths } from '@backroom/client';
import { useQuery } from '@tanstack/react-query';
import { api } from '../../api/client';

/** The customers API's shapes, as the client's generated types give them. */
export type CustomerSummary =
  paths['/v1/admin/customers']['get']['responses']['200']['content']['application/json']['data'][number];
export type CustomerQuery = NonNullable<paths['/v1/admin/customers']['get']['parameters']['query']>;
export type Customer = paths['/v1/admin/customers/{id}']['get']['responses']['200']['content']['application/json'];
export type CustomerPatch = NonNullable<
  paths['/v1/admin/customers/{id}']['patch']['requestBody']
>['content']['application/json'];
export type CustomerNote = Customer['notes'][number];

/**
 * Query keys: the list (ListPage with `['customers']`) under `['customers', 'list', …]`, one customer under
 * `['customers', 'detail', id]`. A change to a customer invalidates that customer and the lists that show it.
 */
export const customerKeys = {
  all: ['customers'] as const,
  lists: ['customers', 'list'] as const,
  detail: (id: string) => ['customers', 'detail', id] as const,
};

export const customerChanged = (id: string) => [customerKeys.detail(id), customerKeys.lists];

export const idempotent = (idempotencyKey: string) => ({ headers: { 'Idempotency-Key': idempotencyKey } });

export async function fetchCustomers(query: CustomerQuery, signal?: AbortSignal) {
  return (await api.GET('/v1/admin/customers', { params: { query }, signal })).data;
}

export async function fetchCustomer(id: string, signal?: AbortSignal): Promise<Customer> {
  return (await api.GET('/v1/admin/customers/{id}', { params: { path: { id } }, signal })).data;
}

export function useCustomer(id: string) {
  return useQuery({ queryKey: customerKeys.detail(id), queryFn: ({ signal }) => fetchCustomer(id, signal) });
}

/** "Ada Lovelace", else the email (an erased customer shows its placeholder). */
export function displayName(c: Pick<CustomerSummary, 'firstName' | 'lastName' | 'email'>): string {
  const name = [c.firstName, c.lastName].filter(Boolean).join(' ');
  return name || c.email;
}

/** A local calendar day (`YYYY-MM-DD`, the date filter's value) → the instant it starts, for the API. */
export function startOfDay(day: string, plusDays = 0): string | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) return undefined;
  return new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + plusDays).toISOString();
}

/**
 * Downloads everything held about the customer (the access request) as `customer-<id>.json`. The file is built from
 * the client's answer (no `fetch`, no new window), so the staff token never appears in a URL.
 */
export async function downloadExport(id: string): Promise<void> {
  const { data } = await api.GET('/v1/admin/customers/{id}/export', { params: { path: { id } } });
  const blob = new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = `customer-${id}.json`;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
