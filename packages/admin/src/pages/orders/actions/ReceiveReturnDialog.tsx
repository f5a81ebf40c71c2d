import { useState } from 'react';
import { api } from '../../../api/client';
import { useApiMutation } from '../../../api/mutation';
import { Field, Select } from '../../../components/ui';
import { idempotent, type Order, type OrderReturn, orderChanged, useLocations } from '../sections/api';
import { ActionDialog } from './ActionDialog';
import { CheckboxLine } from './CheckboxLine';
import { lineError, QuantityTable } from './QuantityTable';

type ReceiveVars = {
  lines: { returnLineId: string; quantity: number; restock: boolean; locationId?: string }[];
};

/**
 * Receive an approved return: count what arrived per line (lines left at 0 count as not received) and put the
 * chosen lines back in stock at a location. Refunds are a separate action (Refund), so the money decision is
 * explicit.
 */
export function ReceiveReturnDialog({
  order,
  ret,
  onReload,
}: {
  order: Order;
  ret: OrderReturn;
  onReload: () => unknown;
}) {
  const [quantities, setQuantities] = useState<Record<string, string>>({});
  const [restock, setRestock] = useState<Record<string, boolean>>({});
  const [locationId, setLocationId] = useState('');
  const locations = useLocations();
  const receive = useApiMutation({
    mutationFn: async (vars: ReceiveVars, { idempotencyKey }) =>
      (
        await api.POST('/v1/admin/returns/{id}/receive', {
          params: { path: { id: ret.id } },
          body: vars,
          ...idempotent(idempotencyKey),
        })
      ).data,
    invalidate: orderChanged(order.id),
  });
  const lines = ret.lines.map((l) => {
    const quantity = Number(quantities[l.id] ?? '0');
    const back = restock[l.id] ?? true;
    return {
      returnLineId: l.id,
      quantity,
      restock: back && quantity > 0,
      ...(locationId && back && quantity > 0 ? { locationId } : {}),
    };
  });
  const bad = lines.some((l) => !Number.isInteger(l.quantity) || l.quantity < 0);

  return (
    <ActionDialog
      label="Receive"
      triggerSize="sm"
      triggerVariant="primary"
      title="Receive returned items"
      description="Count what arrived. Ticked lines go back into stock."
      submitLabel="Receive"
      wide
      done="Return received"
      onReload={onReload}
      onOpen={() => {
        setQuantities(Object.fromEntries(ret.lines.map((l) => [l.id, String(l.quantity)])));
        setRestock(Object.fromEntries(ret.lines.map((l) => [l.id, true])));
        setLocationId('');
      }}
      invalid={bad ? 'Quantities are whole numbers' : undefined}
      onSubmit={() => receive.mutateAsync({ lines })}
    >
      {(errors) => (
        <>
          <QuantityTable
            caption="Units received"
            rows={ret.lines.map((l) => ({
              id: l.id,
              sku: l.sku,
              title: l.title,
              available: l.quantity,
              availableLabel: 'in the return',
            }))}
            values={quantities}
            onChange={(id, v) => setQuantities((q) => ({ ...q, [id]: v }))}
            errorFor={(id) =>
              lineError(
                errors,
                ret.lines.findIndex((l) => l.id === id),
                'quantity',
                'restock',
                'locationId',
                'returnLineId',
              )
            }
            extra={(row) => (
              <CheckboxLine
                checked={restock[row.id] ?? true}
                onChange={(checked) => setRestock((r) => ({ ...r, [row.id]: checked }))}
              >
                Put back in stock ({row.title})
              </CheckboxLine>
            )}
          />
          {locations.data ? (
            <Field label="Restock at" hint="Default: the first active location in allocation order.">
              <Select
                value={locationId}
                onChange={(e) => setLocationId(e.target.value)}
                placeholder="The first active location (default)"
                options={locations.data
                  .filter((l) => l.active)
                  .map((l) => ({ value: l.id, label: `${l.name} (${l.code})` }))}
              />
            </Field>
          ) : null}
        </>
      )}
    </ActionDialog>
  );
}
