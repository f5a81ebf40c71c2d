import { Link } from '@tanstack/react-router';
import { Section } from '../../components/DetailPage';
import { DateTime, Money, StatusBadge } from '../../components/ui';
import type { Customer } from './api';

/**
 * The customer's orders as the API counts them (placed orders linked to the account; spent per currency) and the
 * latest ten. Guest orders placed with the same email are not linked: the "Orders with this email" link finds them.
 */
export function OrdersSection({ customer: c }: { customer: Customer }) {
  const { orderCount, totalSpent, lastOrderAt } = c.orders;
  return (
    <Section
      title="Orders"
      actions={
        !c.erased ? (
          <Link
            to="/orders"
            search={{ q: c.email } as never}
            className="text-sm font-medium text-accent-700 hover:underline"
          >
            Orders with this email
          </Link>
        ) : undefined
      }
    >
      <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm">
        <dt className="text-gray-600">Orders</dt>
        <dd>{orderCount}</dd>
        <dt className="text-gray-600">Total spent</dt>
        <dd className="flex flex-wrap gap-x-3">
          {totalSpent.length === 0 ? '—' : totalSpent.map((m) => <Money key={m.currency} value={m} />)}
        </dd>
        <dt className="text-gray-600">Last order</dt>
        <dd>
          <DateTime value={lastOrderAt} />
        </dd>
      </dl>
      {c.recentOrders.length === 0 ? (
        <p className="text-sm text-gray-700">No orders yet.</p>
      ) : (
        <ul className="divide-y divide-gray-100 rounded-md border border-gray-200">
          {c.recentOrders.map((o) => (
            <li key={o.id} className="flex flex-wrap items-center gap-x-4 gap-y-1 px-3 py-2 text-sm">
              <Link
                to="/orders/$orderId"
                params={{ orderId: o.id }}
                className="font-medium text-accent-700 hover:underline"
              >
                Order #{o.number}
              </Link>
              <DateTime value={o.createdAt} />
              <span className="flex flex-wrap gap-1">
                <StatusBadge status={o.status} />
                <StatusBadge status={o.paymentStatus} />
                <StatusBadge status={o.fulfillmentStatus} />
              </span>
              <Money value={o.total} className="ml-auto" />
            </li>
          ))}
        </ul>
      )}
    </Section>
  );
}
