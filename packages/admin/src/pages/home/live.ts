import { type QueryKey, useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useRef } from 'react';
import { type LiveState, useLiveEvents } from '../../api/live';
import { dashboardKey } from './api';

/** Changes arrive in bursts (a checkout writes several events): read again once per burst. */
const BATCH_MS = 250;

export type DashboardTopic = 'orders' | 'inventory' | 'activity';

/** The topics of a `changed` event (`data: {"topics": [...], "sequence": n}`); unreadable data counts as every topic. */
function topicsOf(data: string): DashboardTopic[] | undefined {
  try {
    const parsed = JSON.parse(data) as { topics?: unknown };
    return Array.isArray(parsed.topics) ? (parsed.topics as DashboardTopic[]) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Follows `GET /v1/admin/dashboard/stream` (needs `orders:read`) and invalidates `keys` when the server says one of
 * `topics` changed — what is shown is always read again from the API, never patched from the event. `ready` (the
 * stream watches from now on, also after a reconnect) invalidates too, so nothing committed between the first read,
 * or a dropped connection, and the stream's start is missed.
 */
export function useDashboardStream(keys: readonly QueryKey[], topics?: readonly DashboardTopic[]): LiveState {
  const queryClient = useQueryClient();
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const latest = useRef(keys);
  latest.current = keys;
  useEffect(() => () => clearTimeout(timer.current), []);

  const refetch = useCallback(() => {
    if (timer.current) return;
    timer.current = setTimeout(() => {
      timer.current = undefined;
      for (const queryKey of latest.current) void queryClient.invalidateQueries({ queryKey });
    }, BATCH_MS);
  }, [queryClient]);

  return useLiveEvents('/v1/admin/dashboard/stream', (event) => {
    if (event.event === 'ready') refetch();
    if (event.event !== 'changed') return;
    const changed = topicsOf(event.data);
    if (!topics || !changed || changed.some((t) => topics.includes(t))) refetch();
  });
}

/** The home page's numbers, read again whenever anything they show changed. */
export function useLiveDashboard(): LiveState {
  return useDashboardStream([dashboardKey]);
}
