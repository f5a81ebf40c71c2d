import { BackroomError } from '@backroom/client';
import { useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { describeError, fieldError } from '../../api/errors';
import { useApiMutation } from '../../api/mutation';
import { Button, ErrorNotice, Field, Input, Select, Textarea, useToast } from '../../components/ui';
import { type Item, inventoryKeys, type TransferBody, transfer } from './api';

/**
 * Move units from one location to another: one transaction on the server, two ledger rows. Only what is available
 * at the source can move (the server refuses more with 409, shown here).
 */
export function TransferForm({ item, locationName }: { item: Item; locationName: (id: string) => string }) {
  const queryClient = useQueryClient();
  const toast = useToast();
  const levels = item.levels;
  const [from, setFrom] = useState(() => levels.find((l) => l.available > 0)?.locationId ?? levels[0]?.locationId);
  const [to, setTo] = useState(() => levels.find((l) => l.locationId !== from)?.locationId);
  const [quantity, setQuantity] = useState('');
  const [note, setNote] = useState('');
  const [invalid, setInvalid] = useState<string | undefined>(undefined);

  const mutation = useApiMutation({
    mutationFn: (body: TransferBody, { idempotencyKey }) => transfer(body, idempotencyKey),
    invalidate: [inventoryKeys.item(item.id), inventoryKeys.lists],
    onSuccess: (updated, body) => {
      queryClient.setQueryData(inventoryKeys.item(item.id), updated);
      toast(`Moved ${body.quantity} from ${locationName(body.fromLocationId)} to ${locationName(body.toLocationId)}`);
      setQuantity('');
      setNote('');
    },
  });

  if (levels.length < 2) {
    return (
      <p className="text-sm text-gray-700">
        Transfers need a second stock location. Locations are created through the API (
        <code>POST /v1/admin/inventory/locations</code>); every item gets a level there.
      </p>
    );
  }

  const source = levels.find((l) => l.locationId === from);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const n = Number(quantity.trim());
    if (!/^\d+$/.test(quantity.trim()) || n < 1) return setInvalid('Enter a whole number of units, at least 1');
    if (!from || !to) return setInvalid('Choose both locations');
    if (from === to) return setInvalid('Choose two different locations');
    setInvalid(undefined);
    mutation.mutate({
      itemId: item.id,
      fromLocationId: from,
      toLocationId: to,
      quantity: n,
      ...(note.trim() ? { note: note.trim() } : {}),
    });
  };

  const short = shortage(mutation.error);
  const failure = mutation.error && !short ? describeError(mutation.error) : undefined;
  const errors = failure?.fieldErrors ?? {};
  const quantityError =
    invalid ??
    fieldError(errors, 'quantity') ??
    (short
      ? `Only ${short.available} available at ${locationName(short.locationId)} (${short.onHand} on hand): nothing was moved`
      : undefined);
  const options = levels.map((l) => ({ value: l.locationId, label: locationName(l.locationId) }));

  return (
    <form onSubmit={submit} className="space-y-4" aria-label="Transfer stock">
      <div className="grid gap-4 sm:grid-cols-2">
        <Field
          label="From"
          fieldErrors={errors}
          name="fromLocationId"
          hint={source ? `${source.available} available` : undefined}
        >
          <Select value={from ?? ''} onChange={(e) => setFrom(e.target.value)} options={options} />
        </Field>
        <Field label="To" fieldErrors={errors} name="toLocationId">
          <Select value={to ?? ''} onChange={(e) => setTo(e.target.value)} options={options} />
        </Field>
        <Field label="Quantity" error={quantityError} required>
          <Input
            inputMode="numeric"
            autoComplete="off"
            value={quantity}
            onChange={(e) => {
              setQuantity(e.target.value);
              setInvalid(undefined);
            }}
          />
        </Field>
      </div>
      <Field label="Note" fieldErrors={errors} name="note" hint="Optional: kept in the movement history.">
        <Textarea rows={2} maxLength={500} value={note} onChange={(e) => setNote(e.target.value)} />
      </Field>
      {failure && Object.keys(failure.fieldErrors).length === 0 ? <ErrorNotice error={failure} /> : null}
      <Button type="submit" variant="primary" loading={mutation.isPending}>
        Transfer
      </Button>
    </form>
  );
}

/** The server's refusal to move more than is available at the source (409 INSUFFICIENT_STOCK with the numbers). */
function shortage(error: unknown): { locationId: string; available: number; onHand: number } | undefined {
  if (!(error instanceof BackroomError) || error.code !== 'INSUFFICIENT_STOCK') return undefined;
  const body = error.body as { locationId?: unknown; available?: unknown; onHand?: unknown } | undefined;
  if (typeof body?.locationId !== 'string' || typeof body.available !== 'number' || typeof body.onHand !== 'number') {
    return undefined;
  }
  return { locationId: body.locationId, available: body.available, onHand: body.onHand };
}
