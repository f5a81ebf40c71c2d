import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query';
import { useNavigate, useSearch } from '@tanstack/react-router';
import { useEffect, useRef } from 'react';
import { describeError } from '../../api/errors';
import { Can } from '../../auth/Can';
import {
  Button,
  Card,
  CursorPager,
  DateTime,
  EmptyState,
  ErrorNotice,
  PageHeader,
  Spinner,
  Table,
  TBody,
  Td,
  THead,
  Th,
  Tr,
  useCursorStack,
} from '../../components/ui';
import { fetchJob, fetchJobs, importKeys, isActive } from './api';
import { ExportCard } from './export-card';
import { JobReport, JobStatus } from './job-report';
import { UploadForm } from './upload-form';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** How often a running job is read again (the worker reports progress after each batch of products). */
const POLL_MS = 1000;

/**
 * Imports and exports: upload a product/stock CSV and follow its job (validation, progress, the row-by-row report),
 * the past imports, and the products export in the same format. The job shown is in the URL (`?job=`).
 */
export default function ImportsPage() {
  const search = useSearch({ strict: false }) as { job?: string };
  const navigate = useNavigate();
  const show = (id: string | undefined) =>
    void navigate({ to: '.', search: ((prev: Record<string, string>) => ({ ...prev, job: id })) as never });

  return (
    <div className="space-y-5">
      <PageHeader
        title="Imports and exports"
        description="Create and update products, prices and stock from a CSV file; download every product in the same format."
      />
      <div className="grid gap-5 lg:grid-cols-2">
        <Can
          permission="catalog:write"
          fallback={
            <Card title="Import products and stock">
              <p className="text-sm text-gray-700">Importing needs the catalog:write permission.</p>
            </Card>
          }
        >
          <Card title="Import products and stock">
            <UploadForm onQueued={(job) => show(job.id)} />
            <FormatHelp />
          </Card>
        </Can>
        <Can permission="catalog:read">
          <ExportCard />
        </Can>
      </div>
      {search.job ? <CurrentJob id={search.job} onClose={() => show(undefined)} /> : null}
      <PastImports selected={search.job} onSelect={show} />
    </div>
  );
}

function FormatHelp() {
  return (
    <details className="mt-4 text-sm text-gray-800">
      <summary className="cursor-pointer font-medium text-accent-700">The file format</summary>
      <div className="mt-2 space-y-2">
        <p>
          One row per variant; rows with the same <code>handle</code> form one product. Columns: <code>handle</code>,{' '}
          <code>title</code>, <code>description</code>, <code>status</code> (draft, active, archived), <code>tags</code>
          , <code>categories</code>, <code>collections</code>, <code>channels</code> (lists separated by <code>|</code>
          ), <code>option1_name</code>/<code>option1_value</code> … <code>option3_value</code>, <code>sku</code>,{' '}
          <code>barcode</code>, <code>weight_grams</code>, <code>price_EUR</code>, <code>compare_at_EUR</code> (any
          currency code, prices in minor units: 1999 = 19.99) and <code>stock_&lt;location code&gt;</code> (on hand,
          set, not added).
        </p>
        <p>
          Importing the same file again changes nothing. Stock columns also need the inventory:adjust permission. The
          export is a ready-made example.
        </p>
      </div>
    </details>
  );
}

function CurrentJob({ id, onClose }: { id: string; onClose: () => void }) {
  const queryClient = useQueryClient();
  const job = useQuery({
    queryKey: importKeys.job(id),
    queryFn: ({ signal }) => fetchJob(id, signal),
    refetchInterval: (q) => (q.state.data && !isActive(q.state.data.status) ? false : POLL_MS),
  });
  // When the job ends, the list of past imports (and what it imported) is read again.
  const status = job.data?.status;
  const was = useRef(status);
  useEffect(() => {
    if (was.current && isActive(was.current) && status && !isActive(status)) {
      void queryClient.invalidateQueries({ queryKey: ['imports', 'list'] });
      void queryClient.invalidateQueries({ queryKey: ['products'] });
      void queryClient.invalidateQueries({ queryKey: ['inventory'] });
    }
    was.current = status;
  }, [status, queryClient]);

  return (
    <Card
      title="Import report"
      actions={
        <Button size="sm" variant="ghost" onClick={onClose}>
          Close
        </Button>
      }
      aria-live="polite"
    >
      {job.isError ? (
        <ErrorNotice error={describeError(job.error)} />
      ) : job.isPending ? (
        <Spinner label="Loading the import" />
      ) : (
        <JobReport job={job.data} />
      )}
    </Card>
  );
}

function PastImports({ selected, onSelect }: { selected: string | undefined; onSelect: (id: string) => void }) {
  const pages = useCursorStack();
  const cursor = pages.cursor;
  const jobs = useQuery({
    queryKey: importKeys.list(cursor),
    queryFn: ({ signal }) => fetchJobs(cursor, signal),
    placeholderData: keepPreviousData,
    // A job still running in the list moves on by itself.
    refetchInterval: (q) => (q.state.data?.data.some((j) => isActive(j.status)) ? 3000 : false),
  });
  const rows = jobs.data?.data ?? [];
  return (
    <Card title="Past imports">
      {jobs.isError ? (
        <ErrorNotice error={describeError(jobs.error)} />
      ) : jobs.isPending ? (
        <Spinner label="Loading past imports" />
      ) : rows.length === 0 ? (
        <EmptyState title="No imports yet" description="Uploaded files are listed here with their reports." />
      ) : (
        <>
          {/* A table from tablet width; one card per import on a phone (seven columns do not fit 390 px). */}
          <div className="hidden md:block">
            <Table aria-label="Past imports">
              <THead>
                <tr>
                  <Th>Uploaded</Th>
                  <Th>Status</Th>
                  <Th className="text-right">Rows</Th>
                  <Th className="text-right">Created</Th>
                  <Th className="text-right">Updated</Th>
                  <Th className="text-right">Problems</Th>
                  {/* Visible text: an sr-only span here would escape the table's scroll box and widen the page. */}
                  <Th className="text-right">Report</Th>
                </tr>
              </THead>
              <TBody>
                {rows.map((j) => (
                  <Tr key={j.id} className={j.id === selected ? 'bg-accent-50' : undefined}>
                    <Td className="whitespace-nowrap">
                      <DateTime value={j.createdAt} />
                    </Td>
                    <Td>
                      <JobStatus job={j} />
                    </Td>
                    <Td className="text-right tabular-nums">{j.totalRows}</Td>
                    <Td className="text-right tabular-nums">{j.productsCreated}</Td>
                    <Td className="text-right tabular-nums">{j.productsUpdated}</Td>
                    <Td className="text-right tabular-nums">{j.errorCount}</Td>
                    <Td className="text-right">
                      <Button size="sm" onClick={() => onSelect(j.id)} aria-label={`View the report of import ${j.id}`}>
                        View
                      </Button>
                    </Td>
                  </Tr>
                ))}
              </TBody>
            </Table>
          </div>
          <ul className="divide-y divide-gray-100 md:hidden" aria-label="Past imports">
            {rows.map((j) => (
              <li key={j.id} className={`py-3 text-sm ${j.id === selected ? 'bg-accent-50' : ''}`}>
                <div className="flex flex-wrap items-center justify-between gap-2">
                  <DateTime value={j.createdAt} />
                  <JobStatus job={j} />
                </div>
                <p className="mt-1 text-gray-800 tabular-nums">
                  {plural(j.totalRows, 'row')} · {j.productsCreated} created · {j.productsUpdated} updated ·{' '}
                  {plural(j.errorCount, 'problem')}
                </p>
                <Button
                  size="sm"
                  className="mt-2"
                  onClick={() => onSelect(j.id)}
                  aria-label={`View report of import ${j.id}`}
                >
                  View report
                </Button>
              </li>
            ))}
          </ul>
        </>
      )}
      <CursorPager
        label="Past import pages"
        pages={pages}
        nextCursor={jobs.data?.nextCursor}
        className="mt-3 flex justify-end gap-2"
      />
    </Card>
  );
}
