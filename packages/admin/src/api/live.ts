import { BackroomError, type StreamEvent } from '@backroom/client';
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { api } from './client';
import { forgetSession, useSessionToken } from './session';

export type LiveState = 'connecting' | 'open' | 'reconnecting' | 'failed';

/**
 * Live events from a Server-Sent Events route (`/v1/admin/inventory/stream`…) over `api.stream`: the staff token
 * goes in the Authorization header (never in the URL), and the stream reconnects with Last-Event-ID until the
 * component unmounts. `onEvent` may change between renders (the latest is called). `path` undefined: no stream.
 * A 4xx ends it (`failed`); a 401 (the session ended) signs out, and the layout sends the member to sign-in.
 */
export function useLiveEvents(
  path: string | undefined,
  onEvent: (event: StreamEvent) => void,
  options: { onOpen?: () => void } = {},
): LiveState {
  const token = useSessionToken();
  const queryClient = useQueryClient();
  const handler = useRef(onEvent);
  handler.current = onEvent;
  const onOpen = useRef(options.onOpen);
  onOpen.current = options.onOpen;
  const [state, setState] = useState<LiveState>('connecting');

  useEffect(() => {
    if (!path || !token) return;
    const controller = new AbortController();
    setState('connecting');
    api
      .stream(path, {
        signal: controller.signal,
        onEvent: (event) => handler.current(event),
        onOpen: () => {
          setState('open');
          onOpen.current?.();
        },
        onRetry: () => setState('reconnecting'),
      })
      .catch((error: unknown) => {
        if (controller.signal.aborted) return;
        setState('failed');
        if (error instanceof BackroomError && error.status === 401) forgetSession(queryClient);
      });
    return () => controller.abort();
  }, [path, token, queryClient]);

  return state;
}
