import { type ListColumn, ListPage, type ListQuery } from '../../components/ListPage';
import { Badge, DateTime, Money, StatusBadge } from '../../components/ui';
import { type CustomerQuery, type CustomerSummary, customerKeys, displayName, fetchCustomers, startOfDay } from './api';

const sortOptions = [
  { value: 'newest', label: 'Newest first' },
  { value: 'oldest', label: 'Oldest first' },
  { value: 'email', label: 'Email A–Z' },
  { value: 'name', label: 'Name A–Z' },
];

const columns: ListColumn<CustomerSummary>[] = [
  {
    key: 'name',
    header: 'Customer',
    primary: true,
    cell: (c) => (
      <span className="inline-flex flex-wrap items-center gap-2">
        {displayName(c)}
        {c.erased ? <Badge>Erased</Badge> : null}
      </span>
    ),
  },
  { key: 'email', header: 'Email', cell: (c) => <span className="break-all">{c.email}</span> },
  { key: 'phone', header: 'Phone', hideOnPhone: true, cell: (c) => c.phone ?? '—' },
  { key: 'orders', header: 'Orders', align: 'right', cell: (c) => c.orders.orderCount },
  {
    key: 'spent',
    header: 'Total spent',
    align: 'right',
    cell: (c) =>
      c.orders.totalSpent.length === 0 ? (
        '—'
      ) : (
        <span className="inline-flex flex-col">
          {c.orders.totalSpent.map((m) => (
            <Money key={m.currency} value={m} />
          ))}
        </span>
      ),
  },
  {
    key: 'tags',
    header: 'Tags',
    hideOnPhone: true,
    cell: (c) =>
      c.tags.length === 0 ? (
        '—'
      ) : (
        <span className="flex flex-wrap gap-1">
          {c.tags.map((t) => (
            <Badge key={t} tone="accent">
              {t}
            </Badge>
          ))}
        </span>
      ),
  },
  { key: 'status', header: 'Status', cell: (c) => <StatusBadge status={c.status} /> },
  {
    key: 'created',
    header: 'Customer since',
    hideOnPhone: true,
    cell: (c) => <DateTime value={c.createdAt} dateOnly />,
  },
];

function toApiQuery(query: ListQuery): CustomerQuery {
  const f = query.filters;
  const q: CustomerQuery = { limit: query.limit };
  if (query.q) q.q = query.q;
  if (query.cursor) q.cursor = query.cursor;
  if (query.sort) q.sort = query.sort as CustomerQuery['sort'];
  if (f.status) q.status = f.status as CustomerQuery['status'];
  if (f.tag) q.tag = f.tag.trim();
  const from = f.createdFrom ? startOfDay(f.createdFrom) : undefined;
  const to = f.createdTo ? startOfDay(f.createdTo, 1) : undefined;
  if (from) q.createdFrom = from;
  if (to) q.createdTo = to;
  return q;
}

/** Customers: search email, name or phone; filter by status, tag and the day they registered; sort; page. */
export default function CustomersListPage() {
  return (
    <ListPage<CustomerSummary>
      title="Customers"
      description="Everyone with an account. Open one to see their orders, notes and privacy requests."
      queryKey={customerKeys.all}
      fetchPage={(query, signal) => fetchCustomers(toApiQuery(query), signal)}
      rowKey={(c) => c.id}
      rowHref={(c) => `/customers/${c.id}`}
      columns={columns}
      search={{ label: 'Search customers', placeholder: 'Email, name or phone' }}
      filters={[
        {
          key: 'status',
          label: 'Status',
          type: 'select',
          options: [
            { value: 'enabled', label: 'Enabled' },
            { value: 'disabled', label: 'Disabled' },
          ],
        },
        { key: 'tag', label: 'Tag', type: 'text' },
        { key: 'createdFrom', label: 'Registered from', type: 'date' },
        { key: 'createdTo', label: 'Registered until', type: 'date' },
      ]}
      sortOptions={sortOptions}
      defaultSort="newest"
      empty={{
        title: 'No customers yet',
        description: 'Customers appear here when they create an account in the storefront.',
      }}
    />
  );
}
