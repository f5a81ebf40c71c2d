import { Money } from '../../components/ui';
import type { SalesRow } from './api';

/**
 * Today's orders and sales, one card per currency (amounts in different currencies are never added up), with
 * yesterday by this time and all of yesterday beside them — every figure as the API sent it.
 */
export function SalesCards({ rows, today }: { rows: SalesRow[]; today: string }) {
  if (rows.length === 0) {
    return (
      <section aria-labelledby="sales-title" className="rounded-lg border border-gray-200 bg-white p-4 shadow-sm">
        <h2 id="sales-title" className="text-base font-semibold">
          Today
        </h2>
        <p className="mt-1 text-sm text-gray-700">No orders yet, and the shop has no region (so no currency) set up.</p>
      </section>
    );
  }
  return (
    <>
      {rows.map((r) => (
        <section
          key={r.currency}
          aria-label={`Today in ${r.currency}`}
          data-testid={`sales-${r.currency}`}
          className="rounded-lg border border-gray-200 bg-white p-4 shadow-sm"
        >
          <h2 className="text-sm font-medium text-gray-700">
            Today in {r.currency} <span className="sr-only">({today})</span>
          </h2>
          <dl className="mt-2 grid grid-cols-2 gap-3">
            <div>
              <dt className="text-xs text-gray-700">Orders</dt>
              <dd
                className="text-2xl font-semibold text-gray-900 tabular-nums"
                data-testid={`orders-today-${r.currency}`}
              >
                {r.today.orders}
              </dd>
            </div>
            <div className="min-w-0">
              <dt className="text-xs text-gray-700">Sales</dt>
              <dd className="truncate text-2xl font-semibold text-gray-900" data-testid={`sales-today-${r.currency}`}>
                <Money value={r.today.sales} />
              </dd>
            </div>
          </dl>
          <p className="mt-3 border-t border-gray-100 pt-2 text-xs text-gray-700">
            Yesterday by now: {r.yesterdaySoFar.orders} · <Money value={r.yesterdaySoFar.sales} />
            <br />
            All yesterday: {r.yesterday.orders} · <Money value={r.yesterday.sales} />
          </p>
        </section>
      ))}
    </>
  );
}
