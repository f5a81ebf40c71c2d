import { useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useId, useState } from 'react';
import { describeError, fieldError } from '../../api/errors';
import { useApiMutation } from '../../api/mutation';
import { useCan } from '../../auth/Can';
import { Button, Checkbox, ErrorNotice, Field, Input, useToast } from '../../components/ui';
import { type Item, type ItemSettings, inventoryKeys, saveSettings } from './api';

/** The low-stock threshold, tracking and backorders of one item; read-only without `inventory:adjust`. */
export function SettingsForm({ item }: { item: Item }) {
  const canEdit = useCan('inventory:adjust');
  const id = useId();
  const queryClient = useQueryClient();
  const toast = useToast();
  const [threshold, setThreshold] = useState(String(item.lowStockThreshold));
  const [tracked, setTracked] = useState(item.tracked);
  const [backorder, setBackorder] = useState(item.allowBackorder);
  const [invalid, setInvalid] = useState<string | undefined>(undefined);
  // A change saved elsewhere (or by this form) shows here unless the member is editing.
  const [dirty, setDirty] = useState(false);
  useEffect(() => {
    if (dirty) return;
    setThreshold(String(item.lowStockThreshold));
    setTracked(item.tracked);
    setBackorder(item.allowBackorder);
  }, [item, dirty]);

  const mutation = useApiMutation({
    mutationFn: (body: ItemSettings, { idempotencyKey }) => saveSettings(item.id, body, idempotencyKey),
    invalidate: [inventoryKeys.item(item.id), inventoryKeys.lists],
    onSuccess: (updated) => {
      queryClient.setQueryData(inventoryKeys.item(item.id), updated);
      setDirty(false);
      toast('Stock settings saved');
    },
  });

  if (!canEdit) {
    return (
      <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm">
        <dt className="text-gray-700">Low stock at</dt>
        <dd>≤ {item.lowStockThreshold}</dd>
        <dt className="text-gray-700">Tracked</dt>
        <dd>{item.tracked ? 'Yes' : 'No (always sellable)'}</dd>
        <dt className="text-gray-700">Backorders</dt>
        <dd>{item.allowBackorder ? 'Allowed' : 'Not allowed'}</dd>
      </dl>
    );
  }

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const text = threshold.trim();
    if (!/^\d+$/.test(text)) return setInvalid('Enter a whole number, 0 or more');
    setInvalid(undefined);
    const body: ItemSettings = {};
    if (Number(text) !== item.lowStockThreshold) body.lowStockThreshold = Number(text);
    if (tracked !== item.tracked) body.tracked = tracked;
    if (backorder !== item.allowBackorder) body.allowBackorder = backorder;
    if (Object.keys(body).length === 0) {
      setDirty(false);
      return;
    }
    mutation.mutate(body);
  };

  const failure = mutation.error ? describeError(mutation.error) : undefined;
  const errors = failure?.fieldErrors ?? {};
  return (
    <form onSubmit={submit} className="space-y-4" aria-label="Stock settings">
      <Field
        label="Low-stock threshold"
        hint="The item counts as low when what is sellable is at or under this number."
        error={invalid ?? fieldError(errors, 'lowStockThreshold')}
      >
        <Input
          inputMode="numeric"
          className="max-w-40"
          value={threshold}
          onChange={(e) => {
            setDirty(true);
            setThreshold(e.target.value);
          }}
        />
      </Field>
      <label htmlFor={`${id}-tracked`} className="flex items-start gap-2 text-sm text-gray-900">
        <Checkbox
          id={`${id}-tracked`}
          className="mt-0.5"
          checked={tracked}
          onChange={(e) => {
            setDirty(true);
            setTracked(e.target.checked);
          }}
        />
        <span>
          Track stock <span className="block text-gray-700">Untracked items are always sellable.</span>
        </span>
      </label>
      <label htmlFor={`${id}-backorder`} className="flex items-start gap-2 text-sm text-gray-900">
        <Checkbox
          id={`${id}-backorder`}
          className="mt-0.5"
          checked={backorder}
          onChange={(e) => {
            setDirty(true);
            setBackorder(e.target.checked);
          }}
        />
        <span>
          Allow backorders <span className="block text-gray-700">Keep selling when nothing is available.</span>
        </span>
      </label>
      {failure && Object.keys(failure.fieldErrors).length === 0 ? <ErrorNotice error={failure} /> : null}
      <Button type="submit" variant="primary" loading={mutation.isPending} disabled={!dirty}>
        Save settings
      </Button>
    </form>
  );
}
