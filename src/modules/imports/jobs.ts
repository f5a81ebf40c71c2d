import { type Selectable, sql } from 'kysely';
import type { AuditContext } from '../../platform/audit/audit.js';
import type { Db } from '../../platform/db/database.js';
import { jsonb } from '../../platform/db/json.js';
import { AppError, NotFoundError } from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';
import type { Logger } from '../../platform/logger.js';
import type { RowError } from './csv-format.js';
import { type ImportDeps, importProductsCsv } from './importer.js';
import type { ImportJobTable } from './imports.tables.js';

/**
 * Asynchronous import jobs. The upload is stored as a queued job; a worker claims the oldest one
 * with SKIP LOCKED and a claim time it extends after every batch. A worker that dies leaves a
 * claim that runs out, and the next worker starts the job over: imports are idempotent (upserts
 * by handle and SKU, stock set rather than added), so a re-run finishes the work without doubling it.
 */

/** How long a claim lasts without a heartbeat (a batch of 250 products takes well under this). */
const CLAIM_SECONDS = 120;
const MAX_ATTEMPTS = 3;
/** Errors kept on the job (the first ones by row; the count says how many there were). */
const MAX_STORED_ERRORS = 1000;

export interface ImportJobView {
  id: string;
  status: 'queued' | 'running' | 'done' | 'rejected' | 'failed';
  partial: boolean;
  totalRows: number;
  processedRows: number;
  productsCreated: number;
  productsUpdated: number;
  skippedProducts: number;
  stockLevelsChanged: number;
  errorCount: number;
  errors: RowError[];
  failure: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

function view(r: Omit<Selectable<ImportJobTable>, 'csv'>): ImportJobView {
  const errors = r.errors;
  return {
    id: r.id,
    status: r.status,
    partial: r.partial,
    totalRows: r.total_rows,
    processedRows: r.processed_rows,
    productsCreated: r.products_created,
    productsUpdated: r.products_updated,
    skippedProducts: r.skipped_products,
    stockLevelsChanged: r.stock_levels_changed,
    errorCount: r.error_count,
    errors,
    failure: r.failure,
    createdAt: r.created_at.toISOString(),
    startedAt: r.started_at?.toISOString() ?? null,
    finishedAt: r.finished_at?.toISOString() ?? null,
  };
}

const columns = [
  'id',
  'kind',
  'status',
  'partial',
  'total_rows',
  'processed_rows',
  'products_created',
  'products_updated',
  'skipped_products',
  'stock_levels_changed',
  'error_count',
  'errors',
  'failure',
  'attempts',
  'claimed_until',
  'actor_type',
  'actor_id',
  'created_at',
  'started_at',
  'finished_at',
] as const;

export async function queueImportJob(
  db: Db,
  ctx: AuditContext,
  input: { csv: string; partial: boolean },
): Promise<ImportJobView> {
  const row = await db
    .insertInto('import_job')
    .values({
      id: newId('importJob'),
      kind: 'products',
      status: 'queued',
      partial: input.partial,
      csv: input.csv,
      actor_type: ctx.actorType,
      actor_id: ctx.actorId,
    })
    .returning(columns)
    .executeTakeFirstOrThrow();
  return view(row);
}

/** A job in the list of past imports: everything but the error report (read one job for that). */
export type ImportJobSummary = Omit<ImportJobView, 'errors'>;

/**
 * Import jobs, newest first (ids are time-sortable, so the primary key orders them); the cursor is the
 * last id of the page. `status` keeps one state.
 */
export async function listImportJobs(
  db: Db,
  q: { limit: number; cursor?: string | undefined; status?: ImportJobView['status'] | undefined },
): Promise<{ data: ImportJobSummary[]; nextCursor: string | null }> {
  let query = db
    .selectFrom('import_job')
    .select(columns.filter((c) => c !== 'errors'))
    .orderBy('id', 'desc')
    .limit(q.limit + 1);
  if (q.cursor) query = query.where('id', '<', q.cursor);
  if (q.status) query = query.where('status', '=', q.status);
  const rows = await query.execute();
  const data = rows.slice(0, q.limit).map((r) => {
    const { errors: _, ...summary } = view({ ...r, errors: [] });
    return summary;
  });
  return { data, nextCursor: rows.length > q.limit ? (data.at(-1)?.id ?? null) : null };
}

export async function getImportJob(db: Db, id: string): Promise<ImportJobView> {
  const row = await db.selectFrom('import_job').select(columns).where('id', '=', id).executeTakeFirst();
  if (!row) throw new NotFoundError('Import job', id);
  return view(row);
}

/** Claims the oldest runnable job (queued, or running with an expired claim), or nothing. */
async function claimNext(db: Db) {
  const res = await sql<Selectable<ImportJobTable>>`
    update import_job set status = 'running', attempts = attempts + 1, started_at = coalesce(started_at, now()),
           claimed_until = now() + make_interval(secs => ${CLAIM_SECONDS})
     where id = (select id from import_job
                  where status = 'queued' or (status = 'running' and claimed_until < now())
                  order by created_at limit 1 for update skip locked)
    returning *`.execute(db);
  return res.rows[0];
}

/**
 * Runs at most one job; returns whether one ran. Called by the worker loop (and by tests).
 * A job that failed `MAX_ATTEMPTS` times is marked failed with the last error.
 */
export async function runNextImportJob(deps: ImportDeps, logger?: Logger): Promise<boolean> {
  const db = deps.catalog.db;
  const job = await claimNext(db);
  if (!job) return false;
  const ctx: AuditContext = { actorType: job.actor_type, actorId: job.actor_id, ip: null, requestId: job.id };
  try {
    if (job.attempts > MAX_ATTEMPTS) throw new Error(`gave up after ${MAX_ATTEMPTS} attempts`);
    const report = await importProductsCsv(deps, job.csv ?? '', {
      partial: job.partial,
      ctx,
      referenceId: job.id,
      onProgress: async (processed, total) => {
        await db
          .updateTable('import_job')
          .set({
            processed_rows: processed,
            total_rows: total,
            claimed_until: sql`now() + make_interval(secs => ${CLAIM_SECONDS})`,
          })
          .where('id', '=', job.id)
          .execute();
      },
    });
    await db
      .updateTable('import_job')
      .set({
        status: report.status,
        total_rows: report.totalRows,
        processed_rows: report.processedRows,
        products_created: report.productsCreated,
        products_updated: report.productsUpdated,
        skipped_products: report.skippedProducts,
        stock_levels_changed: report.stockLevelsChanged,
        error_count: report.errors.length,
        errors: jsonb(report.errors.slice(0, MAX_STORED_ERRORS)),
        csv: null,
        claimed_until: null,
        finished_at: sql`now()`,
      })
      .where('id', '=', job.id)
      .execute();
    logger?.info({ jobId: job.id, status: report.status, rows: report.totalRows }, 'import job finished');
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    // A refusal (4xx: e.g. a SKU taken meanwhile) will not go away by retrying; a fault might.
    const final = job.attempts >= MAX_ATTEMPTS || (err instanceof AppError && err.status < 500);
    logger?.warn({ jobId: job.id, err, final }, 'import job failed');
    await db
      .updateTable('import_job')
      .set({
        status: final ? 'failed' : 'queued',
        failure: message.slice(0, 2000),
        claimed_until: null,
        ...(final ? { csv: null, finished_at: sql`now()` } : {}),
      })
      .where('id', '=', job.id)
      .execute();
  }
  return true;
}
