import { Link } from '@tanstack/react-router';
import type { ReactNode } from 'react';
import { Can } from '../../../auth/Can';
import { Section } from '../../../components/DetailPage';
import { buttonClass, DateTime, StatusBadge } from '../../../components/ui';
import { DeliverButton } from '../actions/DeliverButton';
import { ShipDialog } from '../actions/ShipDialog';
import { type Fulfillment, type Order, useLocations } from './api';

/** Dates of a parcel's steps, in order (only those that happened). */
function Steps({ f }: { f: Fulfillment }) {
  const steps: [string, string | null][] = [
    ['Packed', f.createdAt],
    ['Shipped', f.shippedAt],
    ['Delivered', f.deliveredAt],
  ];
  return (
    <dl className="flex flex-wrap gap-x-5 gap-y-1 text-sm">
      {steps
        .filter(([, at]) => at)
        .map(([label, at]) => (
          <div key={label} className="flex gap-1">
            <dt className="text-gray-700">{label}</dt>
            <dd>
              <DateTime value={at} />
            </dd>
          </div>
        ))}
    </dl>
  );
}

function Tracking({ f }: { f: Fulfillment }) {
  if (!f.carrier && !f.trackingNumber) return null;
  const number = f.trackingNumber ?? '';
  return (
    <p className="text-sm break-words">
      <span className="text-gray-700">{f.carrier ?? 'Carrier'}: </span>
      {f.trackingUrl ? (
        <a href={f.trackingUrl} target="_blank" rel="noreferrer noopener" className="text-accent-700 underline">
          {number || 'track'}
        </a>
      ) : (
        <span className="font-mono">{number}</span>
      )}
    </p>
  );
}

/** The order's parcels: what is in each, where it left from, carrier and tracking, and its next step. */
export function FulfillmentsSection({
  order,
  actions,
  onReload,
}: {
  order: Order;
  actions?: ReactNode;
  onReload: () => unknown;
}) {
  const locations = useLocations();
  const locationName = (id: string) => locations.data?.find((l) => l.id === id)?.name ?? id;
  return (
    <Section title="Fulfilment" actions={actions}>
      <p className="flex flex-wrap items-center gap-2 text-sm">
        <span className="text-gray-700">Status</span> <StatusBadge status={order.fulfillmentStatus} />
      </p>
      {order.fulfillments.length === 0 ? (
        <p className="text-sm text-gray-700">Nothing fulfilled yet.</p>
      ) : (
        <ul className="space-y-3">
          {order.fulfillments.map((f, i) => (
            <li key={f.id} className="space-y-2 rounded-md border border-gray-200 p-3">
              <div className="flex flex-wrap items-center justify-between gap-2">
                <h3 className="flex flex-wrap items-center gap-2 text-sm font-semibold">
                  Parcel {i + 1} <StatusBadge status={f.status} />
                  <span className="font-normal text-gray-700">from {locationName(f.locationId)}</span>
                </h3>
                <div className="flex flex-wrap gap-2">
                  {f.status === 'created' ? (
                    <Link
                      to="/orders/$orderId/packing-slip"
                      params={{ orderId: order.id }}
                      search={{ fulfillment: f.id }}
                      aria-label={`Packing slip for parcel ${i + 1}`}
                      className={buttonClass('secondary', 'sm')}
                    >
                      Packing slip
                    </Link>
                  ) : null}
                  <Can permission="orders:fulfil">
                    {f.status === 'created' ? <ShipDialog order={order} fulfillment={f} onReload={onReload} /> : null}
                    {f.status === 'shipped' ? <DeliverButton order={order} fulfillment={f} /> : null}
                  </Can>
                </div>
              </div>
              <ul className="text-sm">
                {f.lines.map((l) => (
                  <li key={l.lineId} className="break-words">
                    <span className="tabular-nums">{l.quantity} ×</span> {l.title}
                    {l.variantTitle ? ` (${l.variantTitle})` : ''}{' '}
                    <span className="font-mono text-xs text-gray-700">{l.sku}</span>
                  </li>
                ))}
              </ul>
              <Tracking f={f} />
              <Steps f={f} />
            </li>
          ))}
        </ul>
      )}
    </Section>
  );
}
