import { Link } from '@tanstack/react-router';
import { Card, EmptyState } from '../../components/ui';
import type { LowStock } from './api';

/** Items at or under their low-stock threshold (emptiest first), each linking to its inventory page. */
export function LowStockCard({ low }: { low: LowStock }) {
  return (
    <Card
      title="Low stock"
      actions={
        <Link to="/inventory" search={{ lowStock: 'true' } as never} className="text-sm text-accent-700 underline">
          {low.total > low.items.length ? `All ${low.total} in Inventory` : 'Open in Inventory'}
        </Link>
      }
    >
      {low.items.length === 0 ? (
        <EmptyState title="Nothing is running low" description="Every tracked item is above its threshold." />
      ) : (
        <ul className="-my-2 divide-y divide-gray-100" data-testid="low-stock">
          {low.items.map((i) => (
            <li key={i.itemId} className="flex items-start justify-between gap-3 py-2">
              <div className="min-w-0">
                <Link
                  to="/inventory/$itemId"
                  params={{ itemId: i.itemId }}
                  className="block truncate text-sm font-medium text-accent-700 underline"
                >
                  {i.title ?? i.sku}
                  {i.variantTitle && i.variantTitle !== 'Default' ? ` — ${i.variantTitle}` : ''}
                </Link>
                <p className="truncate text-xs text-gray-700">
                  {i.sku}
                  {i.locations.length > 0
                    ? ` · ${i.locations.map((l) => `${l.name}: ${l.available}`).join(', ')}`
                    : ' · no active location'}
                </p>
              </div>
              <p className="shrink-0 text-right text-sm">
                <span className={i.available <= 0 ? 'font-semibold text-red-800' : 'font-semibold text-amber-900'}>
                  {i.available}
                </span>
                <span className="block text-xs text-gray-700">low at ≤ {i.lowStockThreshold}</span>
              </p>
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}
