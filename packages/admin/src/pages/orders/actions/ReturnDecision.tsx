import { useState } from 'react';
import { api } from '../../../api/client';
import { useApiMutation } from '../../../api/mutation';
import { Button, ConfirmDialog, Field, Textarea, useToast } from '../../../components/ui';
import { idempotent, type Order, type OrderReturn, orderChanged } from '../sections/api';
import { ActionDialog } from './ActionDialog';

/** Approve a requested return (the customer is emailed to send the items). */
export function ApproveReturnButton({ order, ret }: { order: Order; ret: OrderReturn }) {
  const toast = useToast();
  const approve = useApiMutation({
    mutationFn: async (_: undefined, { idempotencyKey }) =>
      (
        await api.POST('/v1/admin/returns/{id}/approve', {
          params: { path: { id: ret.id } },
          ...idempotent(idempotencyKey),
        })
      ).data,
    invalidate: orderChanged(order.id),
    onSuccess: () => toast('Return approved'),
  });
  return (
    <ConfirmDialog
      trigger={
        <Button size="sm" variant="primary">
          Approve
        </Button>
      }
      title="Approve this return?"
      description="The customer is emailed that they can send the items back."
      confirmLabel="Approve return"
      variant="primary"
      onConfirm={() => approve.mutateAsync(undefined)}
    />
  );
}

/** Reject a return that was not received yet (its items can be asked for again). */
export function RejectReturnDialog({
  order,
  ret,
  onReload,
}: {
  order: Order;
  ret: OrderReturn;
  onReload: () => unknown;
}) {
  const [reason, setReason] = useState('');
  const reject = useApiMutation({
    mutationFn: async (vars: { reason: string }, { idempotencyKey }) =>
      (
        await api.POST('/v1/admin/returns/{id}/reject', {
          params: { path: { id: ret.id } },
          body: vars,
          ...idempotent(idempotencyKey),
        })
      ).data,
    invalidate: orderChanged(order.id),
  });
  return (
    <ActionDialog
      label="Reject"
      triggerSize="sm"
      title="Reject this return"
      description="Say why; the items can be asked for again later."
      submitLabel="Reject return"
      submitVariant="danger"
      done="Return rejected"
      onReload={onReload}
      onOpen={() => setReason('')}
      invalid={reason.trim() ? undefined : 'Give a reason'}
      onSubmit={() => reject.mutateAsync({ reason: reason.trim() })}
    >
      {(errors) => (
        <Field label="Reason" name="reason" fieldErrors={errors} required>
          <Textarea value={reason} maxLength={2000} onChange={(e) => setReason(e.target.value)} />
        </Field>
      )}
    </ActionDialog>
  );
}
