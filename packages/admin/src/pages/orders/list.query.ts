import type { paths } from '@backroom/client';
import type { ListQuery } from '../../components/ListPage';
import type { SelectOption } from '../../components/ui';

/** What the orders list asks `GET /v1/admin/orders` for, from the page's URL state (pure: tested without a browser). */

type Operation = paths['/v1/admin/orders']['get'];
export type OrderListParams = NonNullable<Operation['parameters']['query']>;
export type OrderSummary = Operation['responses']['200']['content']['application/json']['data'][number];
export type OrderSort = NonNullable<OrderListParams['sort']>;

export const sortOptions: { value: OrderSort; label: string }[] = [
  { value: 'newest', label: 'Newest first' },
  { value: 'oldest', label: 'Oldest first' },
  { value: 'total_desc', label: 'Total: high to low' },
  { value: 'total_asc', label: 'Total: low to high' },
];

// The API takes one state or several separated by commas; the combined options are the dashboard's backlogs.
export const statusOptions: SelectOption[] = [
  { value: 'pending_payment', label: 'Pending payment' },
  { value: 'placed', label: 'Placed' },
  { value: 'completed', label: 'Completed' },
  { value: 'cancelled', label: 'Cancelled' },
];
export const paymentOptions: SelectOption[] = [
  { value: 'authorized', label: 'Authorized (to capture)' },
  { value: 'authorized,partially_paid,paid', label: 'Authorized or paid' },
  { value: 'not_paid', label: 'Not paid' },
  { value: 'partially_paid', label: 'Partially paid' },
  { value: 'paid', label: 'Paid' },
  { value: 'partially_refunded', label: 'Partially refunded' },
  { value: 'refunded', label: 'Refunded' },
  { value: 'voided', label: 'Voided' },
];
export const fulfillmentOptions: SelectOption[] = [
  { value: 'not_fulfilled,partially_fulfilled', label: 'To fulfil (not or partly)' },
  { value: 'not_fulfilled', label: 'Not fulfilled' },
  { value: 'partially_fulfilled', label: 'Partially fulfilled' },
  { value: 'fulfilled', label: 'Fulfilled' },
  { value: 'partially_shipped', label: 'Partially shipped' },
  { value: 'shipped', label: 'Shipped' },
  { value: 'delivered', label: 'Delivered' },
  { value: 'partially_returned', label: 'Partially returned' },
  { value: 'returned', label: 'Returned' },
];

const words = (state: string) => state.replace(/_/g, ' ');

/**
 * The options, plus the URL's value when it is none of them (a link from elsewhere, e.g. `paid,voided`): a select
 * must show the filter that is applied, never "All" while it filters.
 */
export function withCurrent(options: SelectOption[], current: string | undefined): SelectOption[] {
  if (!current || options.some((o) => o.value === current)) return options;
  const label = current.split(',').map(words).join(' or ');
  return [...options, { value: current, label: label.charAt(0).toUpperCase() + label.slice(1) }];
}

/** A `YYYY-MM-DD` day of the member's calendar → the instant it starts there (`plusDays` 1: the next day's start). */
export function dayStart(day: string, plusDays = 0): string | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) return undefined;
  const d = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + plusDays);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

/** The list's URL state → the API's query. Dates are whole days, `to` included. */
export function orderListParams(query: ListQuery): OrderListParams {
  const f = query.filters;
  const from = f.createdFrom ? dayStart(f.createdFrom) : undefined;
  const to = f.createdTo ? dayStart(f.createdTo, 1) : undefined;
  return {
    limit: query.limit,
    ...(query.q?.trim() ? { q: query.q.trim().slice(0, 200) } : {}),
    ...(query.cursor ? { cursor: query.cursor } : {}),
    ...(query.sort ? { sort: query.sort as OrderSort } : {}),
    ...(f.status ? { status: f.status } : {}),
    ...(f.paymentStatus ? { paymentStatus: f.paymentStatus } : {}),
    ...(f.fulfillmentStatus ? { fulfillmentStatus: f.fulfillmentStatus } : {}),
    ...(f.salesChannelId ? { salesChannelId: f.salesChannelId } : {}),
    ...(from ? { createdFrom: from } : {}),
    ...(to ? { createdTo: to } : {}),
  };
}
