import { Link, useParams } from '@tanstack/react-router';
import { Can } from '../../auth/Can';
import { DetailPage } from '../../components/DetailPage';
import { buttonClass, DateTime, StatusBadge } from '../../components/ui';
import { CancelDialog } from './actions/CancelDialog';
import { CaptureDialog } from './actions/CaptureDialog';
import { FulfilDialog } from './actions/FulfilDialog';
import { RefundDialog } from './actions/RefundDialog';
import { RequestReturnDialog } from './actions/RequestReturnDialog';
import { AddressesSection } from './sections/Addresses';
import { type Order, useOrder } from './sections/api';
import { FulfillmentsSection } from './sections/Fulfillments';
import { LinesSection } from './sections/Lines';
import { PaymentsSection } from './sections/Payments';
import { ReturnsSection } from './sections/Returns';
import { TimelineSection } from './sections/Timeline';
import { TotalsSection } from './sections/Totals';

/**
 * Which actions the order's state offers. The server decides (and refuses anything else); this only keeps buttons
 * that cannot succeed out of the way.
 */
function offers(order: Order) {
  const live = order.status === 'placed' || order.status === 'completed';
  const openReturnUnits = (lineId: string) =>
    order.returns
      .filter((r) => r.status === 'requested' || r.status === 'approved')
      .flatMap((r) => r.lines)
      .filter((l) => l.orderLineId === lineId)
      .reduce((n, l) => n + l.quantity, 0);
  return {
    capture: live && (order.paymentStatus === 'authorized' || order.paymentStatus === 'partially_paid'),
    refund: ['paid', 'partially_paid', 'partially_refunded'].includes(order.paymentStatus),
    cancel: order.status === 'placed' && order.lines.every((l) => l.fulfilledQuantity === 0),
    fulfil: order.status === 'placed' && order.lines.some((l) => l.quantity > l.fulfilledQuantity),
    requestReturn: live && order.lines.some((l) => l.shippedQuantity - l.returnedQuantity - openReturnUnits(l.id) > 0),
  };
}

function Summary({ order }: { order: Order }) {
  return (
    <div className="space-y-2">
      <div className="flex flex-wrap items-center gap-2">
        <span className="sr-only">Order status</span>
        <StatusBadge status={order.status} />
        <span className="sr-only">Payment status</span>
        <StatusBadge status={order.paymentStatus} />
        <span className="sr-only">Fulfilment status</span>
        <StatusBadge status={order.fulfillmentStatus} />
      </div>
      <p className="text-sm text-gray-700">
        Placed <DateTime value={order.placedAt ?? order.createdAt} /> by{' '}
        {order.customerId ? (
          <Link
            to="/customers/$customerId"
            params={{ customerId: order.customerId }}
            className="break-all text-accent-700 underline"
          >
            {order.email}
          </Link>
        ) : (
          <span className="break-all">{order.email} (guest)</span>
        )}
        {order.cancelledAt ? (
          <>
            {' '}
            · cancelled <DateTime value={order.cancelledAt} />
          </>
        ) : null}
      </p>
    </div>
  );
}

/** `/orders/$orderId`: everything about one order and every action staff take on it, each behind its permission. */
export default function OrderDetailPage() {
  const { orderId = '' } = useParams({ strict: false }) as { orderId?: string };
  const query = useOrder(orderId);
  const order = query.data;
  const reload = () => query.refetch();
  const can = order ? offers(order) : undefined;

  return (
    <DetailPage
      title={order ? `Order #${order.number}` : 'Order'}
      back={{ to: '/orders', label: 'Orders' }}
      loading={query.isPending}
      error={query.error}
      onReload={reload}
      actions={
        order ? (
          <>
            <Link
              to="/orders/$orderId/packing-slip"
              params={{ orderId: order.id }}
              className={buttonClass('secondary')}
            >
              Packing slip
            </Link>
            {can?.cancel ? (
              <Can permission="orders:write">
                <CancelDialog order={order} onReload={reload} />
              </Can>
            ) : null}
          </>
        ) : null
      }
    >
      {order && can ? <Summary order={order} /> : null}
      {order && can ? (
        <div className="mt-5 space-y-5">
          <LinesSection order={order} />
          <div className="grid gap-5 lg:grid-cols-3">
            <div className="min-w-0 space-y-5 lg:col-span-2">
              <PaymentsSection
                order={order}
                actions={
                  <>
                    {can.capture ? (
                      <Can permission="orders:write">
                        <CaptureDialog order={order} onReload={reload} />
                      </Can>
                    ) : null}
                    {can.refund ? (
                      <Can permission="orders:refund">
                        <RefundDialog order={order} onReload={reload} />
                      </Can>
                    ) : null}
                  </>
                }
              />
              <FulfillmentsSection
                order={order}
                onReload={reload}
                actions={
                  can.fulfil ? (
                    <Can permission="orders:fulfil">
                      <FulfilDialog order={order} onReload={reload} />
                    </Can>
                  ) : null
                }
              />
              <ReturnsSection
                order={order}
                onReload={reload}
                actions={
                  can.requestReturn ? (
                    <Can permission="orders:write">
                      <RequestReturnDialog order={order} onReload={reload} />
                    </Can>
                  ) : null
                }
              />
            </div>
            <div className="min-w-0 space-y-5">
              <TotalsSection order={order} />
              <AddressesSection order={order} />
              <TimelineSection order={order} />
            </div>
          </div>
        </div>
      ) : null}
    </DetailPage>
  );
}
