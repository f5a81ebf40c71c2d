import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { type LiveState, useLiveEvents } from '../../api/live';
import { Badge } from '../../components/ui';
import { inventoryKeys } from './api';

/** How long stock events are gathered before the affected queries are read again (a busy sale sends many). */
const BATCH_MS = 300;

/**
 * Follows the stock stream (`GET /v1/admin/inventory/stream`, one event per ledger row) and re-reads what a change
 * affects: the item (levels and history) and the lists (an item can enter or leave "low stock"). The numbers shown
 * are always the API's, never recomputed from the event. With `itemId`, only that item's movements are streamed.
 */
export function useLiveStock(itemId?: string): LiveState {
  const queryClient = useQueryClient();
  const pending = useRef(new Set<string>());
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);

  const refresh = (ids: string[]) => {
    for (const id of ids) void queryClient.invalidateQueries({ queryKey: inventoryKeys.item(id) });
    void queryClient.invalidateQueries({ queryKey: inventoryKeys.lists });
  };

  const path = itemId
    ? `/v1/admin/inventory/stream?itemId=${encodeURIComponent(itemId)}`
    : '/v1/admin/inventory/stream';
  return useLiveEvents(
    path,
    (event) => {
      if (event.event !== 'movement') return;
      const changed = movedItem(event.data);
      if (changed) pending.current.add(changed);
      if (timer.current) return;
      timer.current = setTimeout(() => {
        timer.current = undefined;
        const ids = [...pending.current];
        pending.current.clear();
        refresh(ids);
      }, BATCH_MS);
    },
    {
      // A new stream starts at "now": whatever changed between the page's first read and this moment (or while the
      // connection was down the first time) is read again once.
      onOpen: () => refresh(itemId ? [itemId] : []),
    },
  );
}

function movedItem(data: string): string | undefined {
  try {
    const parsed = JSON.parse(data) as { itemId?: unknown };
    return typeof parsed.itemId === 'string' ? parsed.itemId : undefined;
  } catch {
    return undefined;
  }
}

const labels: Record<LiveState, string> = {
  connecting: 'Connecting…',
  open: 'Live',
  reconnecting: 'Reconnecting…',
  failed: 'Not live: reload to retry',
};

/** Whether the page is following the stock stream (announced politely to screen readers). */
export function LiveBadge({ state }: { state: LiveState }) {
  return (
    <span aria-live="polite">
      <Badge tone={state === 'open' ? 'success' : state === 'failed' ? 'danger' : 'neutral'}>{labels[state]}</Badge>
    </span>
  );
}
