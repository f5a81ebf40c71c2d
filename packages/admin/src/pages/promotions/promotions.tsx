import { useMemo, useState } from 'react';
import { api } from '../../api/client';
import { describeError } from '../../api/errors';
import { useApiMutation } from '../../api/mutation';
import { Can } from '../../auth/Can';
import { type ListColumn, ListPage, type ListQuery } from '../../components/ListPage';
import { Badge, Button, DateTime, formatMoney } from '../../components/ui';
import { type Promotion, PromotionDialog, promotionKeys } from './PromotionDialog';

function discount(p: Promotion): string {
  if (p.kind === 'percentage') return `${(p.value / 100).toLocaleString()} %`;
  return formatMoney({ amount: p.value, currency: p.currency ?? 'EUR' });
}

function appliesTo(p: Promotion): string {
  const base =
    p.target === 'order'
      ? 'Order'
      : `${p.targetIds.length} ${p.target === 'products' ? 'product' : 'categor'}${
          p.target === 'products' ? (p.targetIds.length === 1 ? '' : 's') : p.targetIds.length === 1 ? 'y' : 'ies'
        }`;
  return p.minSubtotal !== null && p.currency
    ? `${base}, from ${formatMoney({ amount: p.minSubtotal, currency: p.currency })}`
    : base;
}

function RowActions({ p, onEdit }: { p: Promotion; onEdit: (p: Promotion) => void }) {
  const toggle = useApiMutation({
    mutationFn: async (active: boolean, { idempotencyKey }) =>
      (
        await api.PATCH('/v1/admin/promotions/{id}', {
          params: { path: { id: p.id } },
          body: { active },
          headers: { 'Idempotency-Key': idempotencyKey },
        })
      ).data,
    invalidate: [promotionKeys.all],
  });
  return (
    <Can permission="promotions:write">
      <span className="inline-flex flex-wrap items-start gap-2">
        <Button size="sm" aria-label={`Edit ${p.name}`} onClick={() => onEdit(p)}>
          Edit
        </Button>
        <Button
          size="sm"
          variant={p.active ? 'danger' : 'secondary'}
          loading={toggle.isPending}
          aria-label={`${p.active ? 'Disable' : 'Enable'} ${p.name}`}
          onClick={() => toggle.mutate(!p.active)}
        >
          {p.active ? 'Disable' : 'Enable'}
        </Button>
        {toggle.error ? <span className="w-full text-sm text-red-700">{describeError(toggle.error).title}</span> : null}
      </span>
    </Can>
  );
}

function columnsFor(onEdit: (p: Promotion) => void): ListColumn<Promotion>[] {
  return [
    {
      key: 'name',
      header: 'Promotion',
      primary: true,
      cell: (p) => (
        <span className="inline-flex flex-wrap items-center gap-2">
          <span className="break-words">{p.name}</span>
          {p.code ? (
            <code className="rounded bg-gray-100 px-1.5 py-0.5 text-sm break-all">{p.code}</code>
          ) : (
            <Badge tone="info">Automatic</Badge>
          )}
        </span>
      ),
    },
    { key: 'discount', header: 'Discount', cell: discount },
    { key: 'applies', header: 'Applies to', cell: appliesTo },
    {
      key: 'limits',
      header: 'Limits',
      hideOnPhone: true,
      cell: (p) =>
        [
          p.usageLimit !== null ? `${p.usageLimit} in total` : null,
          p.perCustomerLimit !== null ? `${p.perCustomerLimit} per customer` : null,
        ]
          .filter(Boolean)
          .join(', ') || '—',
    },
    {
      key: 'schedule',
      header: 'Schedule',
      hideOnPhone: true,
      cell: (p) =>
        p.startsAt || p.endsAt ? (
          <span className="inline-flex flex-col text-sm">
            {p.startsAt ? (
              <span>
                From <DateTime value={p.startsAt} />
              </span>
            ) : null}
            {p.endsAt ? (
              <span>
                Until <DateTime value={p.endsAt} />
              </span>
            ) : null}
          </span>
        ) : (
          'Always'
        ),
    },
    {
      key: 'used',
      header: 'Used',
      align: 'right',
      cell: (p) => (p.usageLimit !== null ? `${p.used} / ${p.usageLimit}` : p.used),
    },
    {
      key: 'status',
      header: 'Status',
      cell: (p) => {
        const now = Date.now();
        const ended = p.endsAt !== null && Date.parse(p.endsAt) <= now;
        const scheduled = p.startsAt !== null && Date.parse(p.startsAt) > now;
        const used = p.usageLimit !== null && p.used >= p.usageLimit;
        return !p.active ? (
          <Badge>Disabled</Badge>
        ) : ended ? (
          <Badge>Ended</Badge>
        ) : used ? (
          <Badge tone="warning">Used up</Badge>
        ) : scheduled ? (
          <Badge tone="info">Scheduled</Badge>
        ) : (
          <Badge tone="success">Active</Badge>
        );
      },
    },
    { key: 'action', header: 'Actions', cell: (p) => <RowActions p={p} onEdit={onEdit} /> },
  ];
}

async function fetchPromotions(query: ListQuery, signal: AbortSignal) {
  const q: { limit: number; cursor?: string; active?: boolean; code?: string } = { limit: query.limit };
  if (query.cursor) q.cursor = query.cursor;
  if (query.filters.active) q.active = query.filters.active === 'true';
  if (query.q) q.code = query.q.trim();
  return (await api.GET('/v1/admin/promotions', { params: { query: q }, signal })).data;
}

/**
 * Promotions: codes customers type and automatic promotions; percentage or fixed, on the order, products or
 * categories; limits in total and per customer; a schedule; how often each was used. Disable one at once.
 */
export default function PromotionsPage() {
  const [dialog, setDialog] = useState<{ editing?: Promotion } | undefined>();
  const columns = useMemo(() => columnsFor((p) => setDialog({ editing: p })), []);
  return (
    <>
      <ListPage<Promotion>
        title="Promotions"
        description="Discount codes and automatic promotions. Disabling one stops it at once, also in open carts."
        actions={
          <Can permission="promotions:write">
            <Button variant="primary" onClick={() => setDialog({})}>
              New promotion
            </Button>
          </Can>
        }
        queryKey={promotionKeys.all}
        fetchPage={fetchPromotions}
        rowKey={(p) => p.id}
        columns={columns}
        search={{ label: 'Find a code', placeholder: 'Exact code' }}
        filters={[
          {
            key: 'active',
            label: 'Status',
            type: 'select',
            options: [
              { value: 'true', label: 'Enabled' },
              { value: 'false', label: 'Disabled' },
            ],
          },
        ]}
        empty={{
          title: 'No promotions',
          description: 'Create a code customers enter at checkout, or an automatic promotion.',
        }}
      />
      {dialog ? <PromotionDialog editing={dialog.editing} onClose={() => setDialog(undefined)} /> : null}
    </>
  );
}
