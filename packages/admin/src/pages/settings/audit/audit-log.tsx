import type { paths } from '@backroom/client';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../../../api/client';
import { describeError } from '../../../api/errors';
import { useCan } from '../../../auth/Can';
import {
  Button,
  Card,
  CursorPager,
  DateTime,
  EmptyState,
  ErrorNotice,
  Field,
  Input,
  PageHeader,
  Select,
  Spinner,
  useCursorStack,
} from '../../../components/ui';

type Entry = paths['/v1/admin/audit-log']['get']['responses']['200']['content']['application/json']['data'][number];

interface Filters {
  actorId: string;
  action: string;
  targetId: string;
  /** `YYYY-MM-DD`, local days (inclusive). */
  from: string;
  to: string;
}

const empty: Filters = { actorId: '', action: '', targetId: '', from: '', to: '' };

/** Local midnight of a `YYYY-MM-DD` day, plus `days`, as an ISO instant. */
function dayStart(day: string, days = 0): string {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(y ?? 1970, (m ?? 1) - 1, (d ?? 1) + days).toISOString();
}

function useStaffNames(): Map<string, string> {
  const canRead = useCan('staff:read');
  const staff = useQuery({
    queryKey: ['audit-log', 'staff'],
    enabled: canRead,
    queryFn: async ({ signal }) =>
      (await api.GET('/v1/admin/staff', { params: { query: { limit: 100 } }, signal })).data,
  });
  return new Map((staff.data?.data ?? []).map((m) => [m.id, m.name ? `${m.name} (${m.email})` : m.email]));
}

function show(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

/** What changed: each field on its own line; a `{ from, to }` or `{ before, after }` pair shown as "old → new". */
function Changes({ changes }: { changes: Entry['changes'] }) {
  const entries = Object.entries(changes);
  if (entries.length === 0) return <p className="text-sm text-gray-700">No details recorded.</p>;
  return (
    <dl className="grid gap-x-3 gap-y-1 text-sm sm:grid-cols-[minmax(0,12rem)_minmax(0,1fr)]">
      {entries.map(([key, value]) => {
        const pair =
          value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
        const before = pair && ('from' in pair ? pair.from : pair.before);
        const after = pair && ('to' in pair ? pair.to : pair.after);
        const isPair = pair && Object.keys(pair).length === 2 && (before !== undefined || after !== undefined);
        return (
          <div key={key} className="contents">
            <dt className="font-medium text-gray-800">{key}</dt>
            <dd className="min-w-0 break-words text-gray-900">
              {isPair ? (
                <>
                  <span className="text-gray-700 line-through">{show(before)}</span> → {show(after)}
                </>
              ) : (
                <code className="text-xs break-all">{show(value)}</code>
              )}
            </dd>
          </div>
        );
      })}
    </dl>
  );
}

/** The audit log: who did what to which resource and when, newest first, filtered by member, action, target and date. */
export default function AuditLogPage() {
  const [draft, setDraft] = useState<Filters>(empty);
  const [filters, setFilters] = useState<Filters>(empty);
  const pages = useCursorStack();
  const names = useStaffNames();
  const canReadStaff = useCan('staff:read');
  const list = useQuery({
    queryKey: ['audit-log', 'list', filters, pages.cursor ?? ''],
    placeholderData: keepPreviousData,
    queryFn: async ({ signal }) =>
      (
        await api.GET('/v1/admin/audit-log', {
          params: {
            query: {
              limit: 25,
              ...(pages.cursor ? { cursor: pages.cursor } : {}),
              ...(filters.actorId ? { actorId: filters.actorId } : {}),
              ...(filters.action ? { action: filters.action } : {}),
              ...(filters.targetId ? { targetId: filters.targetId } : {}),
              ...(filters.from ? { from: dayStart(filters.from) } : {}),
              ...(filters.to ? { to: dayStart(filters.to, 1) } : {}),
            },
          },
          signal,
        })
      ).data,
  });
  const set = (key: keyof Filters) => (e: { target: { value: string } }) =>
    setDraft((d) => ({ ...d, [key]: e.target.value }));

  return (
    <div className="space-y-5">
      <PageHeader
        title="Audit log"
        description="Every change made by staff, API keys and the system, newest first. Entries cannot be edited or deleted."
      />
      <Card>
        <form
          aria-label="Filter the audit log"
          className="grid gap-3 sm:grid-cols-2 lg:grid-cols-5"
          onSubmit={(e) => {
            e.preventDefault();
            pages.reset();
            setFilters({ ...draft, action: draft.action.trim(), targetId: draft.targetId.trim() });
          }}
        >
          <Field label="Member" className="min-w-0">
            {canReadStaff ? (
              <Select
                className="w-full min-w-0"
                value={draft.actorId}
                onChange={set('actorId')}
                placeholder="Anyone"
                options={[...names].map(([value, label]) => ({ value, label }))}
              />
            ) : (
              <Input value={draft.actorId} onChange={set('actorId')} placeholder="stf_…" />
            )}
          </Field>
          <Field label="Action" className="min-w-0">
            <Input value={draft.action} onChange={set('action')} placeholder="e.g. order.refunded" />
          </Field>
          <Field label="Target id" className="min-w-0">
            <Input value={draft.targetId} onChange={set('targetId')} placeholder="e.g. ord_…" />
          </Field>
          <Field label="From" className="min-w-0">
            <Input type="date" value={draft.from} onChange={set('from')} />
          </Field>
          <Field label="To" className="min-w-0">
            <Input type="date" value={draft.to} onChange={set('to')} />
          </Field>
          <div className="flex gap-2 sm:col-span-2 lg:col-span-5">
            <Button type="submit" variant="primary">
              Apply filters
            </Button>
            <Button
              type="button"
              onClick={() => {
                setDraft(empty);
                setFilters(empty);
                pages.reset();
              }}
            >
              Clear
            </Button>
          </div>
        </form>
      </Card>
      {list.isPending ? (
        <Spinner label="Loading the audit log" />
      ) : list.isError ? (
        <ErrorNotice error={describeError(list.error)} />
      ) : list.data.data.length === 0 ? (
        <Card>
          <EmptyState title="No entries" description="Nothing matches these filters." />
        </Card>
      ) : (
        <>
          <ol className="space-y-3" aria-label="Audit entries">
            {list.data.data.map((e) => (
              <li
                key={e.id}
                data-testid="audit-entry"
                className="rounded-lg border border-gray-200 bg-white p-4 shadow-sm"
              >
                <div className="flex flex-wrap items-baseline justify-between gap-2">
                  <p className="font-medium text-gray-900">
                    <code>{e.action}</code>
                    {e.targetId ? (
                      <span className="text-gray-700">
                        {' '}
                        on <code className="break-all">{e.targetId}</code>
                      </span>
                    ) : null}
                  </p>
                  <span className="text-sm text-gray-700">
                    <DateTime value={e.at} />
                  </span>
                </div>
                <p className="mt-1 text-sm text-gray-700">
                  By{' '}
                  {e.actorId ? (
                    <span className="break-all text-gray-900">{names.get(e.actorId) ?? e.actorId}</span>
                  ) : (
                    e.actorType
                  )}
                  {e.actorId ? ` (${e.actorType.replace(/_/g, ' ')})` : ''}
                  {e.ip ? ` from ${e.ip}` : ''}
                </p>
                <div className="mt-2">
                  <Changes changes={e.changes} />
                </div>
              </li>
            ))}
          </ol>
          <CursorPager
            label="Audit log pages"
            pages={pages}
            nextCursor={list.data.nextCursor}
            updating={list.isFetching}
          />
        </>
      )}
    </div>
  );
}
