import type { QueryKey } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { type DescribedError, describeError } from '../api/errors';
import { useApiMutation } from '../api/mutation';

export interface SaveContext {
  /** Send as `If-Match` (the version the form was loaded at): a concurrent change answers 412, never overwritten. */
  ifMatch: string;
  /** Send as `Idempotency-Key`. */
  idempotencyKey: string;
}

export interface DetailFormOptions<V, R> {
  /** The values as the server has them (re-read after a save or reload); undefined while loading. */
  initial: V | undefined;
  /** The resource's `version` as read. */
  version: number | undefined;
  save: (values: V, ctx: SaveContext) => Promise<R>;
  /** The queries the save changes (the detail and its lists). */
  invalidate: QueryKey[];
  onSaved?: (result: R) => void;
}

export interface DetailForm<V> {
  values: V | undefined;
  set: <K extends keyof V>(name: K, value: V[K]) => void;
  setValues: (update: (v: V) => V) => void;
  dirty: boolean;
  saving: boolean;
  submit: () => Promise<void>;
  /** Back to the server's values. */
  reset: () => void;
  error: DescribedError | undefined;
  fieldErrors: Record<string, string>;
  conflict: boolean;
  /** After a conflict: take the server's current values at the next load (call with the page's refetch). */
  resetOnNextLoad: () => void;
}

/** Form state for a versioned resource: dirty tracking, If-Match on save, field errors and 412 conflicts. */
export function useDetailForm<V, R = unknown>(options: DetailFormOptions<V, R>): DetailForm<V> {
  const initialJson = options.initial === undefined ? undefined : JSON.stringify(options.initial);
  const [values, setValuesState] = useState<V | undefined>(options.initial);
  const [error, setError] = useState<DescribedError | undefined>(undefined);
  const base = useRef<string | undefined>(initialJson);
  const forceReset = useRef(false);
  const dirty = values !== undefined && JSON.stringify(values) !== base.current;

  // New server values (first load, after a save, after a reload): take them unless the member is mid-edit.
  // biome-ignore lint/correctness/useExhaustiveDependencies: reacts to new server values only
  useEffect(() => {
    if (initialJson === undefined) return;
    if (!dirty || forceReset.current || base.current === undefined) {
      forceReset.current = false;
      base.current = initialJson;
      setValuesState(JSON.parse(initialJson) as V);
      setError(undefined);
    }
  }, [initialJson]);

  const mutation = useApiMutation<R, V>({
    mutationFn: (v, { idempotencyKey }) => options.save(v, { ifMatch: `"${options.version ?? 0}"`, idempotencyKey }),
    invalidate: options.invalidate,
    onSuccess: (result, v) => {
      base.current = JSON.stringify(v);
      setError(undefined);
      options.onSaved?.(result);
    },
    onError: (e) => setError(describeError(e)),
  });

  return {
    values,
    set: (name, value) => setValuesState((v) => (v === undefined ? v : { ...v, [name]: value })),
    setValues: (update) => setValuesState((v) => (v === undefined ? v : update(v))),
    dirty,
    saving: mutation.isPending,
    submit: async () => {
      if (values === undefined) return;
      setError(undefined);
      await mutation.mutateAsync(values).catch(() => undefined);
    },
    reset: () => {
      if (base.current !== undefined) setValuesState(JSON.parse(base.current) as V);
      setError(undefined);
    },
    error,
    fieldErrors: error?.fieldErrors ?? {},
    conflict: error?.conflict ?? false,
    resetOnNextLoad: () => {
      forceReset.current = true;
      setError(undefined);
    },
  };
}
