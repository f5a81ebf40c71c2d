import { Link } from '@tanstack/react-router';
import { type Dashboard, listSearch } from './api';

function BacklogCard({
  title,
  hint,
  count,
  filter,
  testId,
}: {
  title: string;
  hint: string;
  count: number;
  filter: Record<string, string[]>;
  testId: string;
}) {
  return (
    <Link
      to="/orders"
      search={listSearch(filter) as never}
      data-testid={testId}
      className="group block rounded-lg border border-gray-200 bg-white p-4 shadow-sm hover:border-accent-600 hover:bg-accent-50"
    >
      <h2 className="text-sm font-medium text-gray-700">{title}</h2>
      <p className="mt-2 text-2xl font-semibold text-gray-900 tabular-nums">{count}</p>
      <p className="mt-1 text-xs text-gray-700">
        {hint} <span className="text-accent-700 underline group-hover:no-underline">View orders</span>
      </p>
    </Link>
  );
}

/** Orders waiting for staff: each card opens the orders list filtered to exactly the orders it counts. */
export function BacklogCards({ data }: { data: Dashboard }) {
  return (
    <>
      <BacklogCard
        title="Waiting for capture"
        hint="Authorized, money not taken yet."
        count={data.awaitingCapture.count}
        filter={data.awaitingCapture.filter}
        testId="awaiting-capture"
      />
      <BacklogCard
        title="Waiting for fulfilment"
        hint="Paid or authorized, not yet packed."
        count={data.awaitingFulfillment.count}
        filter={data.awaitingFulfillment.filter}
        testId="awaiting-fulfilment"
      />
    </>
  );
}
