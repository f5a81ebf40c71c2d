import { keepPreviousData, type QueryKey, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate, useSearch } from '@tanstack/react-router';
import { type ReactNode, useMemo, useRef, useState } from 'react';
import { describeError } from '../api/errors';
import { useSession } from '../api/session';
import { type BulkAction, ListBulkBar } from './ListBulkBar';
import { type ListFilter, ListFilters, type ListSearch } from './ListFilters';
import {
  Button,
  Checkbox,
  EmptyState,
  ErrorNotice,
  PageHeader,
  type SelectOption,
  Spinner,
  Table,
  TBody,
  Td,
  THead,
  Th,
  Tr,
  useToast,
} from './ui';

// Re-exported: each list page configures its filters and bulk actions through ListPage.
export type { BulkAction, ListFilter };

export interface ListColumn<T> {
  key: string;
  header: string;
  cell: (row: T) => ReactNode;
  align?: 'left' | 'right';
  /** The row's title in the phone layout (rows become cards below 768 px). One column should have it. */
  primary?: boolean;
  /** Left out of the phone card (keep cards short). */
  hideOnPhone?: boolean;
}

/** What the page asks the API for; every part lives in the URL (reload and share keep it). */
export interface ListQuery {
  q: string | undefined;
  /** Only filters with a value. Dates are `YYYY-MM-DD` (local day): convert to the API's format. */
  filters: Record<string, string>;
  sort: string | undefined;
  cursor: string | undefined;
  limit: number;
}

export interface ListPageProps<T> {
  title: string;
  description?: ReactNode;
  /** Buttons beside the title (wrap each in <Can>). */
  actions?: ReactNode;
  /** The resource's key, e.g. `['orders']`: the list is cached under `[...queryKey, 'list', query]`. */
  queryKey: QueryKey;
  fetchPage: (query: ListQuery, signal: AbortSignal) => Promise<{ data: T[]; nextCursor: string | null }>;
  rowKey: (row: T) => string;
  /** The row's detail page, an app path like `/orders/ord_123`. */
  rowHref?: (row: T) => string;
  columns: ListColumn<T>[];
  search?: { label?: string; placeholder: string } | false;
  filters?: ListFilter[];
  sortOptions?: SelectOption[];
  defaultSort?: string;
  bulkActions?: BulkAction<T>[];
  empty?: { title: string; description?: ReactNode; action?: ReactNode };
  limit?: number;
  /** Extra content between the header and the list (e.g. summary cards). */
  children?: ReactNode;
}

/**
 * The list shell every resource uses: search, filters, sort and cursor paging kept in the URL, bulk selection and
 * actions, loading, error and empty states, rows linking to their detail page. On a phone the rows are cards, so
 * nothing scrolls sideways.
 */
export function ListPage<T>(props: ListPageProps<T>) {
  const { columns, rowKey, rowHref, filters = [], limit = 25 } = props;
  const search = useSearch({ strict: false }) as ListSearch;
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const toast = useToast();
  const { permissions } = useSession();

  const query: ListQuery = useMemo(() => {
    const f: Record<string, string> = {};
    for (const filter of filters) {
      const v = search[filter.key];
      if (v) f[filter.key] = v;
    }
    return {
      q: search.q || undefined,
      filters: f,
      sort: search.sort || props.defaultSort,
      cursor: search.cursor,
      limit,
    };
  }, [search, filters, props.defaultSort, limit]);

  const list = useQuery({
    queryKey: [...props.queryKey, 'list', query],
    queryFn: ({ signal }) => props.fetchPage(query, signal),
    placeholderData: keepPreviousData,
  });

  // Cursors of the pages before this one: "Previous" pops. Kept in memory (a reload starts again at page 1's link).
  const back = useRef<string[]>([]);
  const setSearch = (changes: ListSearch, keepPage = false) => {
    if (!keepPage) back.current = [];
    setSelected(new Set());
    void navigate({
      to: '.',
      search: ((prev: ListSearch) => {
        const next: ListSearch = { ...prev, ...changes };
        if (!keepPage) next.cursor = undefined;
        return next;
      }) as never,
      replace: !keepPage,
    });
  };

  const rows = list.data?.data ?? [];
  const [selected, setSelected] = useState<Set<string>>(new Set());
  // Only the actions the member may run; without any, no selection checkboxes either.
  const bulkActions = (props.bulkActions ?? []).filter(
    (a) => a.permission === undefined || permissions.has(a.permission),
  );
  const canBulk = bulkActions.length > 0;
  const allSelected = rows.length > 0 && rows.every((r) => selected.has(rowKey(r)));
  const toggle = (key: string) =>
    setSelected((s) => {
      const next = new Set(s);
      if (next.has(key)) next.delete(key);
      else next.add(key);
      return next;
    });
  const selectedRows = rows.filter((r) => selected.has(rowKey(r)));
  const filtered = query.q !== undefined || Object.keys(query.filters).length > 0;
  const pageNumber = back.current.length + 1;

  const runBulk = async (action: BulkAction<T>) => {
    let result: unknown;
    try {
      result = await action.run(selectedRows);
    } catch (err) {
      // Some rows may have changed before the failure: show them as they are now.
      await queryClient.invalidateQueries({ queryKey: props.queryKey });
      throw err;
    }
    if (result === false) return;
    setSelected(new Set());
    await queryClient.invalidateQueries({ queryKey: props.queryKey });
    toast(`${action.label}: done for ${selectedRows.length}`);
  };

  return (
    <div>
      <PageHeader title={props.title} description={props.description} actions={props.actions} />
      {props.children}
      <div className="rounded-lg border border-gray-200 bg-white shadow-sm">
        <ListFilters
          search={props.search}
          filters={filters}
          sortOptions={props.sortOptions}
          values={search}
          sort={query.sort}
          filtered={filtered}
          onChange={(changes) => setSearch(changes)}
        />

        {canBulk && selectedRows.length > 0 ? (
          <ListBulkBar
            actions={bulkActions}
            count={selectedRows.length}
            onRun={runBulk}
            onClear={() => setSelected(new Set())}
          />
        ) : null}

        {list.isError ? (
          <div className="p-3">
            <ErrorNotice
              error={describeError(list.error)}
              action={<Button onClick={() => list.refetch()}>Try again</Button>}
            />
          </div>
        ) : list.isPending ? (
          <div className="flex justify-center p-10">
            <Spinner label={`Loading ${props.title.toLowerCase()}`} />
          </div>
        ) : rows.length === 0 ? (
          <EmptyState
            title={filtered ? 'Nothing matches' : (props.empty?.title ?? `No ${props.title.toLowerCase()} yet`)}
            description={filtered ? 'Try other words or clear the filters.' : props.empty?.description}
            action={filtered ? undefined : props.empty?.action}
          />
        ) : (
          <div aria-busy={list.isFetching || undefined}>
            <div className="hidden md:block">
              <Table>
                <THead>
                  <tr>
                    {canBulk ? (
                      <Th className="w-10">
                        <Checkbox
                          aria-label="Select all on this page"
                          checked={allSelected}
                          onChange={() => setSelected(allSelected ? new Set() : new Set(rows.map(rowKey)))}
                        />
                      </Th>
                    ) : null}
                    {columns.map((c) => (
                      <Th key={c.key} className={c.align === 'right' ? 'text-right' : undefined}>
                        {c.header}
                      </Th>
                    ))}
                  </tr>
                </THead>
                <TBody>
                  {rows.map((row) => {
                    const key = rowKey(row);
                    const href = rowHref?.(row);
                    return (
                      <Tr key={key}>
                        {canBulk ? (
                          <Td>
                            <Checkbox
                              aria-label={`Select ${key}`}
                              checked={selected.has(key)}
                              onChange={() => toggle(key)}
                            />
                          </Td>
                        ) : null}
                        {columns.map((c, i) => (
                          <Td key={c.key} className={c.align === 'right' ? 'text-right' : undefined}>
                            {href && (c.primary || (i === 0 && !columns.some((x) => x.primary))) ? (
                              <Link to={href} className="font-medium text-accent-700 hover:underline">
                                {c.cell(row)}
                              </Link>
                            ) : (
                              c.cell(row)
                            )}
                          </Td>
                        ))}
                      </Tr>
                    );
                  })}
                </TBody>
              </Table>
            </div>
            <ul className="divide-y divide-gray-100 md:hidden">
              {rows.map((row) => (
                <PhoneCard
                  key={rowKey(row)}
                  row={row}
                  columns={columns}
                  href={rowHref?.(row)}
                  selectable={canBulk}
                  selected={selected.has(rowKey(row))}
                  onToggle={() => toggle(rowKey(row))}
                  rowKey={rowKey(row)}
                />
              ))}
            </ul>
          </div>
        )}

        <nav aria-label="Pages" className="flex items-center justify-between gap-2 border-t border-gray-200 px-3 py-2">
          <span className="text-sm text-gray-700">
            Page {pageNumber}
            {list.isFetching && !list.isPending ? <Spinner className="ml-2" label="Updating" /> : null}
          </span>
          <div className="flex gap-2">
            <Button
              size="sm"
              disabled={!query.cursor}
              onClick={() => {
                const previous = back.current.pop();
                setSelected(new Set());
                void navigate({
                  to: '.',
                  search: ((prev: ListSearch) => ({ ...prev, cursor: previous || undefined })) as never,
                });
              }}
            >
              Previous
            </Button>
            <Button
              size="sm"
              disabled={!list.data?.nextCursor}
              onClick={() => {
                back.current.push(query.cursor ?? '');
                setSearch({ cursor: list.data?.nextCursor ?? undefined }, true);
              }}
            >
              Next
            </Button>
          </div>
        </nav>
      </div>
    </div>
  );
}

function PhoneCard<T>(p: {
  row: T;
  rowKey: string;
  columns: ListColumn<T>[];
  href: string | undefined;
  selectable: boolean;
  selected: boolean;
  onToggle: () => void;
}) {
  const primary = p.columns.find((c) => c.primary) ?? p.columns[0];
  const rest = p.columns.filter((c) => c !== primary && !c.hideOnPhone);
  return (
    <li className="flex gap-3 px-3 py-3">
      {p.selectable ? (
        <Checkbox aria-label={`Select ${p.rowKey}`} className="mt-1" checked={p.selected} onChange={p.onToggle} />
      ) : null}
      <div className="min-w-0 flex-1">
        {primary ? (
          <div className="font-medium break-words">
            {p.href ? (
              <Link to={p.href} className="text-accent-700 hover:underline">
                {primary.cell(p.row)}
              </Link>
            ) : (
              primary.cell(p.row)
            )}
          </div>
        ) : null}
        <dl className="mt-1 grid grid-cols-[auto_1fr] gap-x-3 gap-y-1 text-sm">
          {rest.map((c) => (
            <div key={c.key} className="contents">
              <dt className="text-gray-600">{c.header}</dt>
              <dd className="min-w-0 break-words text-gray-900">{c.cell(p.row)}</dd>
            </div>
          ))}
        </dl>
      </div>
    </li>
  );
}
