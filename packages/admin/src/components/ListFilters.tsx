import { useEffect, useState } from 'react';
import { Button, Input, Select, type SelectOption } from './ui';

export interface ListFilter {
  /** The URL search param and the key in `ListQuery.filters`. */
  key: string;
  label: string;
  type: 'select' | 'date' | 'text';
  options?: SelectOption[];
  /** The select's "any" option (default "All"). */
  placeholder?: string;
}

/** The list's URL search params (search text, filters, sort, cursor). */
export type ListSearch = Record<string, string | undefined>;

const RESERVED = new Set(['q', 'sort', 'cursor']);

export interface ListFiltersProps {
  search: { label?: string; placeholder: string } | false | undefined;
  filters: ListFilter[];
  sortOptions: SelectOption[] | undefined;
  /** The URL's current values. */
  values: ListSearch;
  sort: string | undefined;
  /** A search text or a filter is set: offers "Clear filters". */
  filtered: boolean;
  /** Writes changes to the URL (and goes back to the first page). */
  onChange: (changes: ListSearch) => void;
}

/** The list's search box (debounced; Enter searches at once), filters, sort and "Clear filters". */
export function ListFilters({ search, filters, sortOptions, values, sort, filtered, onChange }: ListFiltersProps) {
  const [text, setText] = useState(values.q ?? '');
  useEffect(() => setText(values.q ?? ''), [values.q]);
  // Debounced on the text only (onChange is rebuilt each render but only reads refs and navigate).
  // biome-ignore lint/correctness/useExhaustiveDependencies: see above
  useEffect(() => {
    if ((values.q ?? '') === text) return;
    const timer = setTimeout(() => onChange({ q: text || undefined }), 300);
    return () => clearTimeout(timer);
  }, [text]);

  return (
    <div className="flex flex-wrap items-end gap-3 border-b border-gray-200 p-3">
      {search !== false && search ? (
        <div className="min-w-0 flex-1 basis-56">
          <label className="sr-only" htmlFor="list-search">
            {search.label ?? 'Search'}
          </label>
          <Input
            id="list-search"
            type="search"
            value={text}
            placeholder={search.placeholder}
            onChange={(e) => setText(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter') onChange({ q: text || undefined });
            }}
          />
        </div>
      ) : null}
      {filters.map((f) => (
        <FilterControl
          key={f.key}
          filter={f}
          value={values[f.key] ?? ''}
          onChange={(v) => onChange({ [f.key]: v || undefined })}
        />
      ))}
      {sortOptions?.length ? (
        <div className="w-full sm:w-auto">
          <label className="block text-xs font-medium text-gray-700" htmlFor="list-sort">
            Sort
          </label>
          <Select
            id="list-sort"
            value={sort ?? ''}
            options={sortOptions}
            onChange={(e) => onChange({ sort: e.target.value || undefined })}
          />
        </div>
      ) : null}
      {filtered ? (
        <Button
          variant="ghost"
          onClick={() => {
            setText('');
            onChange(Object.fromEntries([...filters.map((f) => [f.key, undefined]), ['q', undefined]]));
          }}
        >
          Clear filters
        </Button>
      ) : null}
    </div>
  );
}

function FilterControl({
  filter,
  value,
  onChange,
}: {
  filter: ListFilter;
  value: string;
  onChange: (v: string) => void;
}) {
  const id = `filter-${filter.key}`;
  if (RESERVED.has(filter.key)) throw new Error(`filter key ${filter.key} is reserved`);
  return (
    <div className="w-[calc(50%-0.375rem)] sm:w-auto">
      <label className="block text-xs font-medium text-gray-700" htmlFor={id}>
        {filter.label}
      </label>
      {filter.type === 'select' ? (
        <Select
          id={id}
          value={value}
          placeholder={filter.placeholder ?? 'All'}
          options={filter.options}
          onChange={(e) => onChange(e.target.value)}
        />
      ) : (
        <Input id={id} type={filter.type} value={value} onChange={(e) => onChange(e.target.value)} />
      )}
    </div>
  );
}
