import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useCan } from '../../auth/Can';
import { type ListColumn, ListPage, type ListQuery } from '../../components/ListPage';
import { fetchItems, fetchLocations, type Item, inventoryKeys } from './api';
import { LocationName, PerLocation, Sellable } from './levels';
import { LiveBadge, useLiveStock } from './live';
import { MAX_SKUS, type ProductRef, productsMatching } from './products';

/** A row: the item as the API returns it, plus its product's title when a title search found it. */
type Row = Item & { product?: ProductRef | undefined };

/**
 * Inventory: stock per SKU and location (on hand, reserved, held, available), the sellable total with its low-stock
 * state, searchable by SKU or product title, filtered by location and low stock. Rows follow the stock stream: a
 * change made anywhere shows here without a reload.
 */
export default function InventoryListPage() {
  const canSearchTitles = useCan('catalog:read');
  const locations = useQuery({ queryKey: inventoryKeys.locations, queryFn: ({ signal }) => fetchLocations(signal) });
  const names = new Map((locations.data ?? []).map((l) => [l.id, l.name]));
  const [titleHint, setTitleHint] = useState(false);
  const live = useLiveStock();

  const fetchPage = async (query: ListQuery, signal: AbortSignal) => {
    const q = query.q?.trim();
    // Inventory knows SKUs, not titles: the catalog's search turns a title into its SKUs, listed with the SKU matches.
    const matched = q && canSearchTitles ? await productsMatching(q, signal) : undefined;
    setTitleHint(matched?.more ?? false);
    const skus = matched ? [...matched.bySku.keys()].slice(0, MAX_SKUS) : [];
    const page = await fetchItems(
      {
        limit: query.limit,
        ...(query.cursor ? { cursor: query.cursor } : {}),
        ...(q ? { sku: q.slice(0, 100) } : {}),
        ...(skus.length > 0 ? { skus } : {}),
        ...(query.filters.locationId ? { locationId: query.filters.locationId } : {}),
        ...(query.filters.lowStock === 'true' ? { lowStock: true } : {}),
      },
      signal,
    );
    return {
      data: page.data.map((item): Row => ({ ...item, product: matched?.bySku.get(item.sku) })),
      nextCursor: page.nextCursor,
    };
  };

  const columns: ListColumn<Row>[] = [
    {
      key: 'sku',
      header: 'SKU',
      primary: true,
      cell: (r) => (
        <span className="inline-flex flex-col">
          <span>{r.sku}</span>
          {r.product ? <span className="text-xs font-normal text-gray-700">{r.product.title}</span> : null}
        </span>
      ),
    },
    {
      key: 'location',
      header: 'Location',
      cell: (r) => (
        <PerLocation
          levels={r.levels}
          value={(l) => (
            <>
              <LocationName level={l} name={names.get(l.locationId)} />
              {/* The phone card has no number columns: each location carries its own numbers. */}
              <span className="block text-xs text-gray-700 md:hidden">
                {l.onHand} on hand · {l.reserved} reserved · {l.held} held · {l.available} available
              </span>
            </>
          )}
        />
      ),
    },
    {
      key: 'onHand',
      hideOnPhone: true,
      header: 'On hand',
      align: 'right',
      cell: (r) => <PerLocation levels={r.levels} value={(l) => l.onHand} />,
    },
    {
      key: 'reserved',
      hideOnPhone: true,
      header: 'Reserved',
      align: 'right',
      cell: (r) => <PerLocation levels={r.levels} value={(l) => l.reserved} />,
    },
    {
      key: 'held',
      hideOnPhone: true,
      header: 'Held',
      align: 'right',
      cell: (r) => <PerLocation levels={r.levels} value={(l) => l.held} />,
    },
    {
      key: 'available',
      hideOnPhone: true,
      header: 'Available',
      align: 'right',
      cell: (r) => <PerLocation levels={r.levels} value={(l) => l.available} />,
    },
    {
      key: 'sellable',
      header: 'Sellable (all active)',
      cell: (r) => (
        <span className="inline-flex flex-col gap-0.5">
          <Sellable item={r} />
          {r.tracked ? <span className="text-xs text-gray-700">Low at ≤ {r.lowStockThreshold}</span> : null}
        </span>
      ),
    },
  ];

  return (
    <ListPage<Row>
      title="Inventory"
      description={
        <span className="inline-flex flex-wrap items-center gap-2">
          Stock per SKU and location. Available = on hand − reserved − held.
          <LiveBadge state={live} />
        </span>
      }
      queryKey={inventoryKeys.all}
      fetchPage={fetchPage}
      rowKey={(r) => r.id}
      rowHref={(r) => `/inventory/${r.id}`}
      columns={columns}
      search={{
        label: canSearchTitles ? 'Search by SKU or product title' : 'Search by SKU',
        placeholder: canSearchTitles ? 'SKU or product title' : 'SKU',
      }}
      filters={[
        {
          key: 'locationId',
          label: 'Location',
          type: 'select',
          placeholder: 'All locations',
          options: (locations.data ?? []).map((l) => ({ value: l.id, label: `${l.name} (${l.code})` })),
        },
        {
          key: 'lowStock',
          label: 'Stock',
          type: 'select',
          placeholder: 'All items',
          options: [{ value: 'true', label: 'Low stock only' }],
        },
      ]}
      limit={50}
      empty={{
        title: 'No inventory items yet',
        description: 'Every product variant gets an inventory item when it is created.',
      }}
    >
      {titleHint ? (
        <p className="mb-3 text-sm text-gray-700" role="status">
          Many products match this title: items of the first 50 are shown. Type more of the title to narrow it down.
        </p>
      ) : null}
    </ListPage>
  );
}
