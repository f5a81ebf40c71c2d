import { useState } from 'react';
import { api } from '../../../api/client';
import { useApiMutation } from '../../../api/mutation';
import { Field, Select } from '../../../components/ui';
import { idempotent, type Order, orderChanged, useLocations } from '../sections/api';
import { ActionDialog } from './ActionDialog';
import { lineError, QuantityTable } from './QuantityTable';

type FulfilVars = { lines: { lineId: string; quantity: number }[]; locationId?: string };

/**
 * Fulfil some or all units still to fulfil, from one location (default: where they are reserved). The reserved units
 * leave stock; a parcel is created to ship later.
 */
export function FulfilDialog({ order, onReload }: { order: Order; onReload: () => unknown }) {
  const open = order.lines.filter((l) => l.quantity > l.fulfilledQuantity);
  const [quantities, setQuantities] = useState<Record<string, string>>({});
  const [locationId, setLocationId] = useState('');
  const locations = useLocations();
  const fulfil = useApiMutation({
    mutationFn: async (vars: FulfilVars, { idempotencyKey }) =>
      (
        await api.POST('/v1/admin/orders/{id}/fulfillments', {
          params: { path: { id: order.id } },
          body: vars,
          ...idempotent(idempotencyKey),
        })
      ).data,
    invalidate: orderChanged(order.id),
  });

  const chosen = open
    .map((l) => ({ lineId: l.id, quantity: Number(quantities[l.id] ?? '0') }))
    .filter((l) => Number.isInteger(l.quantity) && l.quantity > 0);
  const bad = open.some((l) => {
    const q = Number(quantities[l.id] ?? '0');
    return !Number.isInteger(q) || q < 0;
  });

  return (
    <ActionDialog
      label="Fulfil items"
      triggerVariant="primary"
      title={`Fulfil order #${order.number}`}
      description="Choose how many units of each line to pack now. Units left out stay to be fulfilled later."
      submitLabel="Fulfil"
      wide
      done={`Fulfilment created for order #${order.number}`}
      onReload={onReload}
      onOpen={() => {
        setQuantities(Object.fromEntries(open.map((l) => [l.id, String(l.quantity - l.fulfilledQuantity)])));
        setLocationId('');
      }}
      invalid={
        bad ? 'Quantities are whole numbers' : chosen.length === 0 ? 'Choose at least one unit to fulfil' : undefined
      }
      onSubmit={() => fulfil.mutateAsync(locationId ? { lines: chosen, locationId } : { lines: chosen })}
    >
      {(errors) => (
        <>
          <QuantityTable
            caption="Units to fulfil"
            rows={open.map((l) => ({
              id: l.id,
              sku: l.sku,
              title: l.title,
              variantTitle: l.variantTitle,
              available: l.quantity - l.fulfilledQuantity,
              availableLabel: 'left',
            }))}
            values={quantities}
            onChange={(id, v) => setQuantities((q) => ({ ...q, [id]: v }))}
            // The server names lines by their index in the body we sent.
            errorFor={(id) => {
              const i = chosen.findIndex((c) => c.lineId === id);
              return lineError(errors, i, 'quantity', 'lineId');
            }}
          />
          {locations.data ? (
            <Field label="Ship from" name="locationId" fieldErrors={errors}>
              <Select
                value={locationId}
                onChange={(e) => setLocationId(e.target.value)}
                placeholder="Where the units are reserved (default)"
                options={locations.data.map((l) => ({ value: l.id, label: `${l.name} (${l.code})` }))}
              />
            </Field>
          ) : null}
        </>
      )}
    </ActionDialog>
  );
}
