import { useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { describeError, fieldError } from '../../api/errors';
import { useApiMutation } from '../../api/mutation';
import { Button, ErrorNotice, Field, Input, Select, Textarea, useToast } from '../../components/ui';
import { type AdjustDraft, type AdjustMode, adjustBody, currentOnHandOf, targetOnHand } from './adjust-model';
import { type AdjustBody, adjust, adjustmentReasons, type Item, inventoryKeys } from './api';

const blank = (mode: AdjustMode): AdjustDraft => ({
  mode,
  value: '',
  reason: mode === 'set' ? 'cycle_count' : 'received',
  note: '',
});

/**
 * Adjust on hand at one location with compare-and-set. The count the member starts from is frozen when they start
 * typing and sent as `expectedOnHand`; a change made meanwhile by someone else (another tab, a sale being shipped)
 * is shown, and the server refuses the stale request (409) — the page then shows the new count and never
 * overwrites it: the member decides again from the new value.
 */
export function AdjustForm({ item, locationName }: { item: Item; locationName: (id: string) => string }) {
  const queryClient = useQueryClient();
  const toast = useToast();
  const [locationId, setLocationId] = useState(item.levels[0]?.locationId ?? '');
  const [draft, setDraft] = useState<AdjustDraft>(blank('set'));
  // The on hand the member saw when they began: what the request is conditional on.
  const [base, setBase] = useState<number | undefined>(undefined);
  const [conflict, setConflict] = useState<{ was: number; now: number } | undefined>(undefined);
  const [invalid, setInvalid] = useState<string | undefined>(undefined);

  const level = item.levels.find((l) => l.locationId === locationId);
  const live = level?.onHand ?? 0;
  const shown = base ?? live;
  const where = locationName(locationId);

  const mutation = useApiMutation({
    mutationFn: (body: AdjustBody, { idempotencyKey }) => adjust(item.id, body, idempotencyKey),
    invalidate: [inventoryKeys.item(item.id), inventoryKeys.lists],
    onSuccess: (updated, body) => {
      queryClient.setQueryData(inventoryKeys.item(item.id), updated);
      toast(`On hand at ${where}: ${body.expectedOnHand} → ${body.set}`);
      setDraft((d) => blank(d.mode));
      setBase(undefined);
    },
    onError: (error, body) => {
      const now = currentOnHandOf(error);
      if (now !== undefined && body.expectedOnHand !== undefined) {
        setConflict({ was: body.expectedOnHand, now });
        void queryClient.invalidateQueries({ queryKey: inventoryKeys.item(item.id) });
      }
    },
  });

  const edit = (change: Partial<AdjustDraft>) => {
    if (base === undefined) setBase(live);
    setInvalid(undefined);
    setDraft((d) => ({ ...d, ...change }));
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (conflict) return;
    const from = shown;
    const target = targetOnHand(draft, from);
    if ('error' in target) return setInvalid(target.error);
    mutation.mutate(adjustBody(draft, locationId, from, target.value));
  };

  const restartFrom = (now: number) => {
    setConflict(undefined);
    setBase(now);
    mutation.reset();
  };

  const target = draft.value.trim() ? targetOnHand(draft, shown) : undefined;
  const failure = mutation.error && !conflict ? describeError(mutation.error) : undefined;
  const errors = failure?.fieldErrors ?? {};
  const valueError =
    invalid ?? fieldError(errors, 'set') ?? fieldError(errors, 'delta') ?? fieldError(errors, 'expectedOnHand');

  if (item.levels.length === 0) return <p className="text-sm text-gray-700">This item has no stock location yet.</p>;

  return (
    <form onSubmit={submit} className="space-y-4" aria-label="Adjust stock">
      <div className="grid gap-4 sm:grid-cols-2">
        <Field label="Location">
          <Select
            value={locationId}
            disabled={base !== undefined}
            onChange={(e) => setLocationId(e.target.value)}
            options={item.levels.map((l) => ({ value: l.locationId, label: locationName(l.locationId) }))}
          />
        </Field>
        <fieldset>
          <legend className="block text-sm font-medium text-gray-800">Change</legend>
          <div className="mt-2 flex flex-wrap gap-4 text-sm">
            {(['set', 'add'] as const).map((mode) => (
              <label key={mode} className="inline-flex items-center gap-2">
                <input
                  type="radio"
                  name="adjust-mode"
                  className="accent-accent-600"
                  checked={draft.mode === mode}
                  onChange={() => edit({ mode, reason: blank(mode).reason })}
                />
                {mode === 'set' ? 'Set on hand to' : 'Add or remove units'}
              </label>
            ))}
          </div>
        </fieldset>
      </div>

      <p className="text-sm text-gray-800" data-testid="adjust-base">
        On hand at {where}: <strong className="tabular-nums">{shown}</strong>
        {base !== undefined && live !== base && !conflict ? (
          <span role="status" className="ml-2 text-amber-900">
            (now {live}: changed by someone else while you were editing — saving will be refused)
          </span>
        ) : null}
      </p>

      {conflict ? (
        <div role="alert" className="rounded-md border border-amber-300 bg-amber-50 p-3 text-sm text-amber-950">
          <p className="font-semibold">Changed by someone else — nothing was saved</p>
          <p className="mt-1">
            On hand at {where} is now <strong className="tabular-nums">{conflict.now}</strong>, not {conflict.was} as
            you saw it. Your change was not applied, so theirs is kept. Check the new count, then save again.
          </p>
          <div className="mt-2 flex flex-wrap gap-2">
            <Button size="sm" variant="primary" onClick={() => restartFrom(conflict.now)}>
              Continue from {conflict.now}
            </Button>
            <Button
              size="sm"
              onClick={() => {
                restartFrom(conflict.now);
                setDraft((d) => blank(d.mode));
                setBase(undefined);
              }}
            >
              Discard my change
            </Button>
          </div>
        </div>
      ) : null}

      <div className="grid gap-4 sm:grid-cols-2">
        <Field
          label={draft.mode === 'set' ? 'New on hand' : 'Units to add (negative to remove)'}
          error={valueError}
          hint={
            target && 'value' in target ? (
              <span className="tabular-nums">
                {shown} → {target.value}
              </span>
            ) : undefined
          }
          required
        >
          <Input
            inputMode="numeric"
            value={draft.value}
            autoComplete="off"
            onChange={(e) => edit({ value: e.target.value })}
          />
        </Field>
        <Field label="Reason" fieldErrors={errors} name="reason">
          <Select
            value={draft.reason}
            onChange={(e) => edit({ reason: e.target.value as AdjustDraft['reason'] })}
            options={adjustmentReasons}
          />
        </Field>
      </div>
      <Field label="Note" fieldErrors={errors} name="note" hint="Optional: kept in the movement history.">
        <Textarea rows={2} maxLength={500} value={draft.note} onChange={(e) => edit({ note: e.target.value })} />
      </Field>

      {failure ? <ErrorNotice error={failure} /> : null}
      <div className="flex flex-wrap gap-2">
        <Button type="submit" variant="primary" loading={mutation.isPending} disabled={Boolean(conflict)}>
          Save adjustment
        </Button>
        {base !== undefined && !conflict ? (
          <Button
            variant="ghost"
            onClick={() => {
              setDraft((d) => blank(d.mode));
              setBase(undefined);
              setInvalid(undefined);
              mutation.reset();
            }}
          >
            Cancel
          </Button>
        ) : null}
      </div>
    </form>
  );
}
