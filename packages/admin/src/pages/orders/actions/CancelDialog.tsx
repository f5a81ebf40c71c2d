import { useState } from 'react';
import { api } from '../../../api/client';
import { useApiMutation } from '../../../api/mutation';
import { Field, Textarea } from '../../../components/ui';
import { idempotent, type Order, orderChanged } from '../sections/api';
import { ActionDialog } from './ActionDialog';

/**
 * Cancel a placed order that has nothing fulfilled: the server releases its stock, voids the authorization or refunds
 * what was captured. The reason goes on the timeline.
 */
export function CancelDialog({ order, onReload }: { order: Order; onReload: () => unknown }) {
  const [reason, setReason] = useState('');
  const cancel = useApiMutation({
    mutationFn: async (vars: { reason?: string }, { idempotencyKey }) =>
      (
        await api.POST('/v1/admin/orders/{id}/cancel', {
          params: { path: { id: order.id } },
          body: vars,
          ...idempotent(idempotencyKey),
        })
      ).data,
    invalidate: orderChanged(order.id),
  });
  const trimmed = reason.trim();
  return (
    <ActionDialog
      label="Cancel order"
      triggerVariant="danger"
      title={`Cancel order #${order.number}?`}
      description="Its reserved stock is released; an authorized payment is voided and captured money is refunded. This cannot be undone."
      submitLabel="Cancel order"
      submitVariant="danger"
      done={`Order #${order.number} cancelled`}
      onReload={onReload}
      onOpen={() => setReason('')}
      invalid={trimmed.length > 500 ? 'The reason is at most 500 characters' : undefined}
      onSubmit={() => cancel.mutateAsync(trimmed ? { reason: trimmed } : {})}
    >
      {(errors) => (
        <Field label="Reason (optional)" name="reason" fieldErrors={errors} hint="Shown on the order's timeline.">
          <Textarea value={reason} maxLength={500} onChange={(e) => setReason(e.target.value)} />
        </Field>
      )}
    </ActionDialog>
  );
}
