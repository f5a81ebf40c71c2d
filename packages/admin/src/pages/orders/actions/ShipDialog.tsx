import { useState } from 'react';
import { api } from '../../../api/client';
import { useApiMutation } from '../../../api/mutation';
import { Field, Input } from '../../../components/ui';
import { type Fulfillment, idempotent, type Order, orderChanged } from '../sections/api';
import { ActionDialog } from './ActionDialog';
import { CheckboxLine } from './CheckboxLine';

type ShipVars = { carrier: string; trackingNumber: string; trackingUrl?: string; notifyCustomer: boolean };

/** Ship a packed parcel with its carrier and tracking number; the customer gets the "shipped" email by default. */
export function ShipDialog({
  order,
  fulfillment,
  onReload,
}: {
  order: Order;
  fulfillment: Fulfillment;
  onReload: () => unknown;
}) {
  const [carrier, setCarrier] = useState('');
  const [trackingNumber, setTrackingNumber] = useState('');
  const [trackingUrl, setTrackingUrl] = useState('');
  const [notify, setNotify] = useState(true);
  const ship = useApiMutation({
    mutationFn: async (vars: ShipVars, { idempotencyKey }) =>
      (
        await api.POST('/v1/admin/orders/{id}/fulfillments/{fulfillmentId}/ship', {
          params: { path: { id: order.id, fulfillmentId: fulfillment.id } },
          body: vars,
          ...idempotent(idempotencyKey),
        })
      ).data,
    invalidate: orderChanged(order.id),
  });
  const url = trackingUrl.trim();
  const missing = !carrier.trim()
    ? 'Enter the carrier'
    : !trackingNumber.trim()
      ? 'Enter the tracking number'
      : undefined;
  return (
    <ActionDialog
      label="Ship"
      triggerSize="sm"
      triggerVariant="primary"
      title="Ship parcel"
      description={`${fulfillment.lines.reduce((n, l) => n + l.quantity, 0)} units of order #${order.number}.`}
      submitLabel="Mark shipped"
      done={`Parcel of order #${order.number} shipped`}
      onReload={onReload}
      onOpen={() => {
        setCarrier('');
        setTrackingNumber('');
        setTrackingUrl('');
        setNotify(true);
      }}
      invalid={missing ?? (url && !/^https?:\/\/\S+$/.test(url) ? 'The tracking URL starts with https://' : undefined)}
      onSubmit={() =>
        ship.mutateAsync({
          carrier: carrier.trim(),
          trackingNumber: trackingNumber.trim(),
          ...(url ? { trackingUrl: url } : {}),
          notifyCustomer: notify,
        })
      }
    >
      {(errors) => (
        <>
          <Field label="Carrier" name="carrier" fieldErrors={errors} required>
            <Input value={carrier} maxLength={100} onChange={(e) => setCarrier(e.target.value)} autoComplete="off" />
          </Field>
          <Field label="Tracking number" name="trackingNumber" fieldErrors={errors} required>
            <Input
              value={trackingNumber}
              maxLength={200}
              onChange={(e) => setTrackingNumber(e.target.value)}
              autoComplete="off"
            />
          </Field>
          <Field label="Tracking URL (optional)" name="trackingUrl" fieldErrors={errors}>
            <Input
              type="url"
              value={trackingUrl}
              maxLength={2000}
              placeholder="https://"
              onChange={(e) => setTrackingUrl(e.target.value)}
            />
          </Field>
          <CheckboxLine checked={notify} onChange={setNotify}>
            Email the customer that it has shipped
          </CheckboxLine>
        </>
      )}
    </ActionDialog>
  );
}
