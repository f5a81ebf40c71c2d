import { api } from '../../../api/client';
import { useApiMutation } from '../../../api/mutation';
import { Button, ConfirmDialog, useToast } from '../../../components/ui';
import { type Fulfillment, idempotent, type Order, orderChanged } from '../sections/api';

/** Mark a shipped parcel delivered (a paid order whose every unit is delivered becomes completed). */
export function DeliverButton({ order, fulfillment }: { order: Order; fulfillment: Fulfillment }) {
  const toast = useToast();
  const deliver = useApiMutation({
    mutationFn: async (_: undefined, { idempotencyKey }) =>
      (
        await api.POST('/v1/admin/orders/{id}/fulfillments/{fulfillmentId}/deliver', {
          params: { path: { id: order.id, fulfillmentId: fulfillment.id } },
          ...idempotent(idempotencyKey),
        })
      ).data,
    invalidate: orderChanged(order.id),
    onSuccess: () => toast(`Parcel of order #${order.number} delivered`),
  });
  return (
    <ConfirmDialog
      trigger={<Button size="sm">Mark delivered</Button>}
      title="Mark parcel delivered?"
      description={`${fulfillment.carrier ?? 'The carrier'} ${fulfillment.trackingNumber ?? ''} — the customer has the parcel.`}
      confirmLabel="Mark delivered"
      variant="primary"
      onConfirm={() => deliver.mutateAsync(undefined)}
    />
  );
}
