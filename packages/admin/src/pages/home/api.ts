import type { paths } from '@backroom/client';
import { useQuery } from '@tanstack/react-query';
import { api } from '../../api/client';

/** The home page's numbers, exactly as `GET /v1/admin/dashboard` returns them (the API decides every figure). */
export type Dashboard = paths['/v1/admin/dashboard']['get']['responses']['200']['content']['application/json'];
export type SalesRow = Dashboard['sales'][number];
export type LowStock = NonNullable<Dashboard['lowStock']>;
export type ActivityLine = Dashboard['activity'][number];

/** One query for the whole page; the stream invalidates it (see live.ts). */
export const dashboardKey = ['dashboard'] as const;

export function useDashboard() {
  return useQuery({
    queryKey: dashboardKey,
    queryFn: async ({ signal }) => (await api.GET('/v1/admin/dashboard', { signal })).data,
  });
}

/** `{ status: ['placed'], paymentStatus: ['authorized'] }` → the orders list's search params (several values: commas). */
export function listSearch(filter: Record<string, string[]>): Record<string, string> {
  return Object.fromEntries(Object.entries(filter).map(([k, v]) => [k, v.join(',')]));
}
