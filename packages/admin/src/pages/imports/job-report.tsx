import { Badge, DateTime, Table, TBody, Td, THead, Th, Tr } from '../../components/ui';
import { type ImportJob, type ImportJobSummary, isActive } from './api';

/** A job's state in words: validation and import are one step on the server (a rejected file changes nothing). */
export function JobStatus({ job }: { job: ImportJobSummary }) {
  switch (job.status) {
    case 'queued':
      return <Badge>Waiting to start</Badge>;
    case 'running':
      return <Badge tone="info">Validating and importing</Badge>;
    case 'done':
      return job.skippedProducts > 0 || job.errorCount > 0 ? (
        <Badge tone="warning">Done, some rows skipped</Badge>
      ) : (
        <Badge tone="success">Done</Badge>
      );
    case 'rejected':
      return <Badge tone="danger">Rejected: nothing imported</Badge>;
    case 'failed':
      return <Badge tone="danger">Failed</Badge>;
  }
}

/**
 * How far the job is. The worker reports rows imported after each batch of products; rows with problems are never
 * imported, so a finished job may show fewer imported rows than the file has.
 */
export function JobProgress({ job }: { job: ImportJobSummary }) {
  const { totalRows: total, processedRows: done } = job;
  const finished = !isActive(job.status);
  const percent = finished ? 100 : total > 0 ? Math.round((done / total) * 100) : 0;
  const text =
    job.status === 'queued'
      ? 'Waiting for a worker to start'
      : job.status === 'running'
        ? total > 0
          ? `${done} of ${total} rows imported so far`
          : 'Validating the file'
        : job.status === 'rejected'
          ? `${total} rows checked, nothing imported`
          : `${done} of ${total} rows imported`;
  return (
    <div>
      <div
        role="progressbar"
        aria-label="Import progress"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent}
        aria-valuetext={text}
        className="h-2 w-full overflow-hidden rounded-full bg-gray-200"
      >
        <div className={`h-full bg-accent-600 transition-all ${widthClass(percent)}`} />
      </div>
      <p className="mt-1 text-sm text-gray-800 tabular-nums">{text}</p>
    </div>
  );
}

// Tailwind needs whole class names (no inline styles under the CSP): the bar moves in steps of 5 %.
const widths = [
  'w-0',
  'w-[5%]',
  'w-[10%]',
  'w-[15%]',
  'w-[20%]',
  'w-[25%]',
  'w-[30%]',
  'w-[35%]',
  'w-[40%]',
  'w-[45%]',
  'w-[50%]',
  'w-[55%]',
  'w-[60%]',
  'w-[65%]',
  'w-[70%]',
  'w-[75%]',
  'w-[80%]',
  'w-[85%]',
  'w-[90%]',
  'w-[95%]',
  'w-full',
];
const widthClass = (percent: number) => widths[Math.min(20, Math.max(0, Math.floor(percent / 5)))];

function Counts({ job }: { job: ImportJobSummary }) {
  const items: [string, number][] = [
    ['Products created', job.productsCreated],
    ['Products updated', job.productsUpdated],
    ['Products skipped', job.skippedProducts],
    ['Stock levels changed', job.stockLevelsChanged],
    ['Rows with problems', job.errorCount],
  ];
  return (
    <dl className="grid grid-cols-2 gap-3 sm:grid-cols-5">
      {items.map(([label, n]) => (
        <div key={label} className="rounded-md bg-gray-50 p-2">
          <dt className="text-xs text-gray-700">{label}</dt>
          <dd className="text-lg font-semibold tabular-nums">{n}</dd>
        </div>
      ))}
    </dl>
  );
}

/** One import: state, progress, counts and the row-by-row error report. */
export function JobReport({ job }: { job: ImportJob }) {
  const shown = job.errors.length;
  return (
    <div className="space-y-4" data-testid="import-report">
      <div className="flex flex-wrap items-center gap-x-4 gap-y-1 text-sm text-gray-800">
        <JobStatus job={job} />
        <span>
          Uploaded <DateTime value={job.createdAt} />
        </span>
        {job.finishedAt ? (
          <span>
            Finished <DateTime value={job.finishedAt} />
          </span>
        ) : null}
        <span className="break-all text-gray-700">{job.id}</span>
      </div>
      {job.partial ? (
        <p className="text-sm text-gray-800">Valid products are imported even if other rows have problems.</p>
      ) : null}
      <JobProgress job={job} />
      <Counts job={job} />
      {job.status === 'rejected' ? (
        <p className="text-sm text-gray-900">
          The file has problems, so nothing was imported. Fix the rows below and upload it again, or tick “Import the
          valid products” to import everything else.
        </p>
      ) : null}
      {job.failure ? (
        <p role="alert" className="rounded-md border border-red-200 bg-red-50 p-3 text-sm text-red-900">
          {job.status === 'failed' ? 'The import stopped: ' : 'Last attempt failed (retrying): '}
          {job.failure}
        </p>
      ) : null}
      {shown > 0 ? (
        <div>
          <h3 className="mb-2 text-sm font-semibold text-gray-900">
            Problems ({job.errorCount}
            {job.errorCount > shown ? `, the first ${shown} shown` : ''})
          </h3>
          <Table aria-label="Problems by row">
            <THead>
              <tr>
                <Th className="text-right">Row</Th>
                <Th>Column</Th>
                <Th>Problem</Th>
              </tr>
            </THead>
            <TBody>
              {job.errors.map((e) => (
                <Tr key={`${e.row}:${e.column}:${e.message}`}>
                  <Td className="text-right tabular-nums">{e.row}</Td>
                  <Td>{e.column || '—'}</Td>
                  <Td className="break-words">{e.message}</Td>
                </Tr>
              ))}
            </TBody>
          </Table>
          <p className="mt-1 text-xs text-gray-700">Rows are lines of the file; the header is row 1.</p>
        </div>
      ) : null}
    </div>
  );
}
