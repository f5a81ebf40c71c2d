import { BackroomError } from '@backroom/client';
import { type QueryKey, type UseMutationResult, useMutation, useQueryClient } from '@tanstack/react-query';
import { useRef } from 'react';

export interface MutationContext {
  /** Send as the `Idempotency-Key` header: one key per user intent (see useApiMutation). */
  idempotencyKey: string;
}

export interface ApiMutationOptions<TData, TVars> {
  mutationFn: (vars: TVars, ctx: MutationContext) => Promise<TData>;
  /** The queries this mutation changes, invalidated (exactly these) after success. */
  invalidate?: QueryKey[] | ((result: TData, vars: TVars) => QueryKey[]);
  onSuccess?: (result: TData, vars: TVars) => void | Promise<void>;
  onError?: (error: unknown, vars: TVars) => void;
}

/** The server gave no final answer for the key: repeating with it can only replay or finish the same work. */
function keepsKey(error: unknown): boolean {
  if (!(error instanceof BackroomError)) return true;
  return error.status === 0 || error.status >= 500 || error.code === 'IDEMPOTENCY_REQUEST_IN_PROGRESS';
}

/** A random UUID v4, also outside a secure context (plain http on a LAN address has no randomUUID). */
function newKey(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = ((b[6] ?? 0) & 0x0f) | 0x40;
  b[8] = ((b[8] ?? 0) & 0x3f) | 0x80;
  const hex = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * A mutation with one `Idempotency-Key` per user intent: a double click or a retry after a network error sends the
 * SAME key (the server runs the command once and replays its answer), so nothing is refunded or shipped twice.
 * The key is renewed after success, after a final error answer (4xx: the server stored it for that key), and when
 * the input changes (the server refuses a reused key with another body). A second call while one is pending joins
 * it instead of sending again.
 */
export function useApiMutation<TData, TVars = void>(
  options: ApiMutationOptions<TData, TVars>,
): UseMutationResult<TData, unknown, TVars> {
  const queryClient = useQueryClient();
  const intent = useRef<{ key: string; input: string } | undefined>(undefined);
  const pending = useRef<{ input: string; promise: Promise<TData> } | undefined>(undefined);

  return useMutation<TData, unknown, TVars>({
    mutationFn: (vars) => {
      const input = JSON.stringify(vars ?? null);
      if (pending.current && pending.current.input === input) return pending.current.promise;
      if (!intent.current || intent.current.input !== input) intent.current = { key: newKey(), input };
      const promise = options.mutationFn(vars, { idempotencyKey: intent.current.key }).then(
        (result) => {
          intent.current = undefined;
          return result;
        },
        (error: unknown) => {
          if (!keepsKey(error)) intent.current = undefined;
          throw error;
        },
      );
      pending.current = { input, promise };
      const clear = () => {
        if (pending.current?.promise === promise) pending.current = undefined;
      };
      promise.then(clear, clear);
      return promise;
    },
    onSuccess: async (result, vars) => {
      const keys = typeof options.invalidate === 'function' ? options.invalidate(result, vars) : options.invalidate;
      await Promise.all((keys ?? []).map((queryKey) => queryClient.invalidateQueries({ queryKey })));
      await options.onSuccess?.(result, vars);
    },
    onError: (error, vars) => options.onError?.(error, vars),
  });
}
