import { useQuery } from '@tanstack/react-query';
import { useSearch } from '@tanstack/react-router';
import { api } from '../../api/client';
import { useCan } from '../../auth/Can';
import { type ListColumn, type ListFilter, ListPage, type ListQuery } from '../../components/ListPage';
import { DateTime, Money, StatusBadge } from '../../components/ui';
import { LiveBadge } from '../home/LiveBadge';
import { useDashboardStream } from '../home/live';
import {
  fulfillmentOptions,
  type OrderSummary,
  orderListParams,
  paymentOptions,
  sortOptions,
  statusOptions,
  withCurrent,
} from './list.query';
import { orderKeys } from './sections/api';

/** The lists read again when the dashboard stream says orders changed (a new order, a payment, a parcel…). */
const liveKeys = [orderKeys.lists] as const;
const liveTopics = ['orders'] as const;

/**
 * Orders: search by number, email or a name on the order; filter by status, payment, fulfilment, sales channel and
 * day range; sort by date or total; cursor paging. Every part lives in the URL, so the Home page can link to
 * `/orders?paymentStatus=authorized` and a reload keeps the view. Rows open `/orders/$orderId`. The page shown is read
 * again when orders change (the dashboard stream), so a new order appears without a reload.
 */
export default function OrdersListPage() {
  const live = useDashboardStream(liveKeys, liveTopics);
  const search = useSearch({ strict: false }) as Record<string, string | undefined>;
  // Channel names come from the catalog; a member without catalog:read filters by order fields only.
  const canReadChannels = useCan('catalog:read');
  const channels = useQuery({
    queryKey: ['sales-channels'],
    enabled: canReadChannels,
    staleTime: 60_000,
    queryFn: async ({ signal }) => (await api.GET('/v1/admin/sales-channels', { signal })).data.data,
  });
  const channelList = channels.data ?? [];
  const channelName = (id: string) => channelList.find((c) => c.id === id)?.name ?? id;

  const fetchPage = async (query: ListQuery, signal: AbortSignal) =>
    (await api.GET('/v1/admin/orders', { params: { query: orderListParams(query) }, signal })).data;

  const columns: ListColumn<OrderSummary>[] = [
    { key: 'number', header: 'Order', primary: true, cell: (o) => `#${o.number}` },
    { key: 'date', header: 'Date', cell: (o) => <DateTime value={o.createdAt} /> },
    {
      key: 'customer',
      header: 'Customer',
      cell: (o) => (
        <span className="block min-w-0">
          {o.customerName ? <span className="block font-medium text-gray-900">{o.customerName}</span> : null}
          <span className="block break-all text-gray-700">{o.email}</span>
        </span>
      ),
    },
    ...(channelList.length > 1
      ? [
          {
            key: 'channel',
            header: 'Channel',
            hideOnPhone: true,
            cell: (o: OrderSummary) => channelName(o.salesChannelId),
          },
        ]
      : []),
    { key: 'status', header: 'Status', cell: (o) => <StatusBadge status={o.status} /> },
    { key: 'payment', header: 'Payment', cell: (o) => <StatusBadge status={o.paymentStatus} /> },
    { key: 'fulfillment', header: 'Fulfilment', cell: (o) => <StatusBadge status={o.fulfillmentStatus} /> },
    { key: 'total', header: 'Total', align: 'right', cell: (o) => <Money value={o.total} /> },
  ];

  const select = (key: string, label: string, options: ListFilter['options']): ListFilter => ({
    key,
    label,
    type: 'select',
    options: withCurrent(options ?? [], search[key]),
  });
  const filters: ListFilter[] = [
    select('status', 'Status', statusOptions),
    select('paymentStatus', 'Payment', paymentOptions),
    select('fulfillmentStatus', 'Fulfilment', fulfillmentOptions),
    ...(channelList.length > 1 || search.salesChannelId
      ? [
          select(
            'salesChannelId',
            'Channel',
            channelList.map((c) => ({ value: c.id, label: c.name })),
          ),
        ]
      : []),
    { key: 'createdFrom', label: 'From', type: 'date' },
    { key: 'createdTo', label: 'To', type: 'date' },
  ];

  return (
    <ListPage<OrderSummary>
      title="Orders"
      actions={<LiveBadge state={live} />}
      queryKey={orderKeys.all}
      fetchPage={fetchPage}
      rowKey={(o) => o.id}
      rowHref={(o) => `/orders/${o.id}`}
      columns={columns}
      search={{ label: 'Search orders', placeholder: 'Order number, email or name' }}
      filters={filters}
      sortOptions={sortOptions}
      defaultSort="newest"
      limit={20}
      empty={{
        title: 'No orders yet',
        description: 'Orders appear here as soon as a customer checks out.',
      }}
    />
  );
}
