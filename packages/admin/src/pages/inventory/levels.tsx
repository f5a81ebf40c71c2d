import type { ReactNode } from 'react';
import { Badge } from '../../components/ui';
import type { Item, Level } from './api';

/** One line per location, so the numbers of a row line up across its columns. */
export function PerLocation({ levels, value }: { levels: Level[]; value: (l: Level) => ReactNode }) {
  if (levels.length === 0) return <span className="text-gray-600">—</span>;
  return (
    <ul className="space-y-1.5 tabular-nums md:space-y-0.5">
      {levels.map((l) => (
        <li key={l.locationId}>{value(l)}</li>
      ))}
    </ul>
  );
}

export function LocationName({ level, name }: { level: Level; name?: string | undefined }) {
  return (
    <span className={level.active ? undefined : 'text-gray-600'}>
      {name ? `${name} (${level.locationCode})` : level.locationCode}
      {level.active ? null : <span className="ml-1 text-xs">· inactive</span>}
    </span>
  );
}

/**
 * What is sellable, as the API counts it (over active locations), with the low-stock state: "Out of stock" at 0
 * or below, "Low stock" at or under the item's threshold.
 */
export function Sellable({ item }: { item: Item }) {
  if (item.available === null) return <Badge>Not tracked</Badge>;
  return (
    <span className="inline-flex flex-wrap items-center gap-1.5">
      <span className="font-semibold tabular-nums">{item.available}</span>
      {item.available <= 0 ? (
        <Badge tone="danger">Out of stock</Badge>
      ) : item.lowStock ? (
        <Badge tone="warning">Low stock</Badge>
      ) : null}
    </span>
  );
}
