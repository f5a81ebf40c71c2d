import { Link } from '@tanstack/react-router';
import { useState } from 'react';
import { api } from '../../api/client';
import { Can } from '../../auth/Can';
import { type BulkAction, type ListColumn, ListPage, type ListQuery } from '../../components/ListPage';
import { buttonClass, DateTime, StatusBadge } from '../../components/ui';
import { pathLabel } from '../categories/tree';
import { catalogKeys, type ProductSummary, useCategories, useCollections, useSalesChannels } from './api';
import { BulkPriceDialog } from './BulkPriceDialog';
import type { ProductStatus } from './form-model';
import { newKey } from './keys';

/** Sets the status of each selected product with the version the list read (a product changed since answers 412). */
async function setStatus(rows: ProductSummary[], status: ProductStatus) {
  const failed: string[] = [];
  const intent = newKey();
  for (const row of rows) {
    if (row.status === status) continue;
    try {
      await api.PATCH('/v1/admin/products/{id}', {
        params: { path: { id: row.id }, header: { 'if-match': `"${row.version}"` } },
        body: { status },
        headers: { 'Idempotency-Key': `${intent}.${row.id}` },
      });
    } catch {
      failed.push(row.title);
    }
  }
  if (failed.length > 0) {
    throw new Error(
      `Not changed (changed by someone else, or refused): ${failed.join(', ')}. The others were saved; reload the list.`,
    );
  }
}

/**
 * Products: search by title, SKU or barcode; filter by status, category, collection and sales channel; newest first
 * with cursor paging; bulk status changes and bulk price edit.
 */
export default function ProductListPage() {
  const categories = useCategories();
  const collections = useCollections();
  const channels = useSalesChannels();
  const [pricing, setPricing] = useState<{ rows: ProductSummary[]; done: (applied: boolean) => void } | undefined>();

  const fetchPage = async (query: ListQuery, signal: AbortSignal) => {
    const f = query.filters;
    const { data } = await api.GET('/v1/admin/products', {
      params: {
        query: {
          limit: query.limit,
          ...(query.q ? { q: query.q.slice(0, 200) } : {}),
          ...(query.cursor ? { cursor: query.cursor } : {}),
          ...(f.status ? { status: f.status as ProductStatus } : {}),
          ...(f.category ? { categoryId: f.category } : {}),
          ...(f.collection ? { collectionId: f.collection } : {}),
          ...(f.channel ? { salesChannelId: f.channel } : {}),
        },
      },
      signal,
    });
    return data;
  };

  const columns: ListColumn<ProductSummary>[] = [
    { key: 'title', header: 'Product', primary: true, cell: (p) => p.title },
    { key: 'status', header: 'Status', cell: (p) => <StatusBadge status={p.status} /> },
    { key: 'variants', header: 'Variants', align: 'right', cell: (p) => p.variantCount },
    {
      key: 'skus',
      header: 'SKUs',
      cell: (p) => (
        <span className="break-words text-gray-700">
          {p.skus.slice(0, 3).join(', ')}
          {p.skus.length > 3 ? ` +${p.skus.length - 3}` : ''}
        </span>
      ),
    },
    { key: 'updated', header: 'Updated', hideOnPhone: true, cell: (p) => <DateTime value={p.updatedAt} /> },
  ];

  const statusAction = (label: string, status: ProductStatus, danger = false): BulkAction<ProductSummary> => ({
    label,
    permission: 'catalog:write',
    danger,
    confirm: {
      title: `${label}?`,
      description:
        status === 'archived'
          ? 'Archived products are hidden from every storefront.'
          : status === 'active'
            ? 'Active products are sold in their sales channels.'
            : 'Draft products are hidden from storefronts.',
    },
    run: (rows) => setStatus(rows, status),
  });

  const bulkActions: BulkAction<ProductSummary>[] = [
    {
      label: 'Edit prices',
      permission: 'catalog:write',
      // The dialog picks variants and the rule; the action ends when it closes (false: cancelled, nothing sent).
      run: (rows) => new Promise<boolean>((resolve) => setPricing({ rows, done: resolve })),
    },
    statusAction('Make active', 'active'),
    statusAction('Make draft', 'draft'),
    statusAction('Archive', 'archived', true),
  ];

  return (
    <>
      <ListPage<ProductSummary>
        title="Products"
        queryKey={catalogKeys.products}
        fetchPage={fetchPage}
        rowKey={(p) => p.id}
        rowHref={(p) => `/products/${p.id}`}
        columns={columns}
        search={{ label: 'Search products', placeholder: 'Search by title, SKU or barcode' }}
        filters={[
          {
            key: 'status',
            label: 'Status',
            type: 'select',
            options: [
              { value: 'active', label: 'Active' },
              { value: 'draft', label: 'Draft' },
              { value: 'archived', label: 'Archived' },
            ],
          },
          {
            key: 'category',
            label: 'Category',
            type: 'select',
            options: (categories.data ?? []).map((c) => ({ value: c.id, label: pathLabel(categories.data ?? [], c) })),
          },
          {
            key: 'collection',
            label: 'Collection',
            type: 'select',
            options: (collections.data ?? []).map((c) => ({ value: c.id, label: c.title })),
          },
          {
            key: 'channel',
            label: 'Sales channel',
            type: 'select',
            options: (channels.data ?? []).map((c) => ({ value: c.id, label: c.name })),
          },
        ]}
        bulkActions={bulkActions}
        actions={
          <Can permission="catalog:write">
            <Link to="/products/new" className={buttonClass('primary')}>
              New product
            </Link>
          </Can>
        }
        empty={{
          title: 'No products yet',
          description: 'Create your first product, or import a CSV on the Imports page.',
          action: (
            <Can permission="catalog:write">
              <Link to="/products/new" className={buttonClass('primary')}>
                New product
              </Link>
            </Can>
          ),
        }}
      />
      {pricing ? (
        <BulkPriceDialog
          products={pricing.rows}
          onClose={(applied) => {
            pricing.done(applied);
            setPricing(undefined);
          }}
        />
      ) : null}
    </>
  );
}
