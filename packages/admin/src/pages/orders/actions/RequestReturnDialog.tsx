import { useState } from 'react';
import { api } from '../../../api/client';
import { useApiMutation } from '../../../api/mutation';
import { Field, Select, Textarea } from '../../../components/ui';
import { idempotent, type Order, orderChanged, type ReturnReason, returnReasons } from '../sections/api';
import { ActionDialog } from './ActionDialog';
import { lineError, QuantityTable } from './QuantityTable';

type ReturnVars = {
  lines: { orderLineId: string; quantity: number; reason: ReturnReason }[];
  note?: string;
};

/** Units of a line in returns still open (requested or approved): they cannot be asked for again. */
function inOpenReturns(order: Order, lineId: string): number {
  return order.returns
    .filter((r) => r.status === 'requested' || r.status === 'approved')
    .flatMap((r) => r.lines)
    .filter((l) => l.orderLineId === lineId)
    .reduce((n, l) => n + l.quantity, 0);
}

/**
 * Open a return on the customer's behalf for shipped units, with a reason per line. The server checks what can
 * still be returned (shipped − returned − in open returns); the dialog only offers those units.
 */
export function RequestReturnDialog({ order, onReload }: { order: Order; onReload: () => unknown }) {
  const rows = order.lines
    .map((l) => ({ line: l, left: l.shippedQuantity - l.returnedQuantity - inOpenReturns(order, l.id) }))
    .filter((r) => r.left > 0);
  const [quantities, setQuantities] = useState<Record<string, string>>({});
  const [reasons, setReasons] = useState<Record<string, ReturnReason>>({});
  const [note, setNote] = useState('');
  const request = useApiMutation({
    mutationFn: async (vars: ReturnVars, { idempotencyKey }) =>
      (
        await api.POST('/v1/admin/orders/{id}/returns', {
          params: { path: { id: order.id } },
          body: vars,
          ...idempotent(idempotencyKey),
        })
      ).data,
    invalidate: orderChanged(order.id),
  });
  const chosen = rows
    .map(({ line }) => ({
      orderLineId: line.id,
      quantity: Number(quantities[line.id] ?? '0'),
      reason: reasons[line.id] ?? ('no_longer_needed' as ReturnReason),
    }))
    .filter((l) => Number.isInteger(l.quantity) && l.quantity > 0);
  const trimmed = note.trim();

  return (
    <ActionDialog
      label="Request return"
      title={`Return items of order #${order.number}`}
      description="Choose the shipped units the customer sends back and why."
      submitLabel="Request return"
      wide
      done={`Return requested for order #${order.number}`}
      onReload={onReload}
      onOpen={() => {
        setQuantities({});
        setReasons({});
        setNote('');
      }}
      invalid={chosen.length === 0 ? 'Choose at least one unit to return' : undefined}
      onSubmit={() => request.mutateAsync(trimmed ? { lines: chosen, note: trimmed } : { lines: chosen })}
    >
      {(errors) => (
        <>
          <QuantityTable
            caption="Units to return"
            rows={rows.map(({ line, left }) => ({
              id: line.id,
              sku: line.sku,
              title: line.title,
              variantTitle: line.variantTitle,
              available: left,
              availableLabel: 'returnable',
            }))}
            values={quantities}
            onChange={(id, v) => setQuantities((q) => ({ ...q, [id]: v }))}
            errorFor={(id) => {
              const i = chosen.findIndex((c) => c.orderLineId === id);
              return lineError(errors, i, 'quantity', 'orderLineId', 'reason');
            }}
            extra={(row) => (
              <Field label={`Reason for ${row.title}`}>
                <Select
                  value={reasons[row.id] ?? 'no_longer_needed'}
                  onChange={(e) => setReasons((r) => ({ ...r, [row.id]: e.target.value as ReturnReason }))}
                  options={returnReasons}
                />
              </Field>
            )}
          />
          <Field label="Note (optional)" name="note" fieldErrors={errors}>
            <Textarea value={note} maxLength={2000} onChange={(e) => setNote(e.target.value)} />
          </Field>
        </>
      )}
    </ActionDialog>
  );
}
