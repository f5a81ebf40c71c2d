import type { ReactNode } from 'react';
import { Can } from '../../../auth/Can';
import { Section } from '../../../components/DetailPage';
import { DateTime, Money, StatusBadge } from '../../../components/ui';
import { ReceiveReturnDialog } from '../actions/ReceiveReturnDialog';
import { ApproveReturnButton, RejectReturnDialog } from '../actions/ReturnDecision';
import { type Order, type OrderReturn, reasonLabel } from './api';

function ReturnActions({ order, ret, onReload }: { order: Order; ret: OrderReturn; onReload: () => unknown }) {
  return (
    <div className="flex flex-wrap gap-2">
      {ret.status === 'requested' ? (
        <Can permission="orders:write">
          <ApproveReturnButton order={order} ret={ret} />
        </Can>
      ) : null}
      {ret.status === 'approved' ? (
        <Can permission="orders:fulfil">
          <ReceiveReturnDialog order={order} ret={ret} onReload={onReload} />
        </Can>
      ) : null}
      {ret.status === 'requested' || ret.status === 'approved' ? (
        <Can permission="orders:write">
          <RejectReturnDialog order={order} ret={ret} onReload={onReload} />
        </Can>
      ) : null}
    </div>
  );
}

/** Returns of the order: what was asked back and why, what arrived and went back into stock, what was refunded. */
export function ReturnsSection({
  order,
  actions,
  onReload,
}: {
  order: Order;
  actions?: ReactNode;
  onReload: () => unknown;
}) {
  return (
    <Section title="Returns" actions={actions}>
      {order.returns.length === 0 ? (
        <p className="text-sm text-gray-700">No returns.</p>
      ) : (
        <ul className="space-y-3">
          {order.returns.map((r) => (
            <li key={r.id} className="space-y-2 rounded-md border border-gray-200 p-3">
              <div className="flex flex-wrap items-center justify-between gap-2">
                <h3 className="flex flex-wrap items-center gap-2 text-sm font-semibold">
                  Return <StatusBadge status={r.status} />
                  <span className="font-normal text-gray-700">
                    asked by {r.requestedBy.type === 'customer' ? 'the customer' : 'staff'} on{' '}
                    <DateTime value={r.createdAt} />
                  </span>
                </h3>
                <ReturnActions order={order} ret={r} onReload={onReload} />
              </div>
              <ul className="space-y-1 text-sm">
                {r.lines.map((l) => (
                  <li key={l.id} className="break-words">
                    <span className="tabular-nums">{l.quantity} ×</span> {l.title}{' '}
                    <span className="font-mono text-xs text-gray-700">{l.sku}</span> — {reasonLabel(l.reason)}
                    {r.status === 'received' ? (
                      <span className="text-gray-700">
                        {' '}
                        · received {l.receivedQuantity}, restocked {l.restockedQuantity}
                      </span>
                    ) : null}
                    {l.note ? <span className="block text-gray-700">“{l.note}”</span> : null}
                  </li>
                ))}
              </ul>
              {r.note ? <p className="text-sm text-gray-800">Note: {r.note}</p> : null}
              {r.rejectionReason ? <p className="text-sm text-gray-800">Rejected: {r.rejectionReason}</p> : null}
              {r.refundedAmount.amount > 0 ? (
                <p className="text-sm">
                  Refunded <Money value={r.refundedAmount} />
                </p>
              ) : null}
            </li>
          ))}
        </ul>
      )}
    </Section>
  );
}
