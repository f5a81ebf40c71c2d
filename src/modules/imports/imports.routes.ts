import { Readable } from 'node:stream';
import { Type } from 'typebox';
import { requestAuditContext } from '../../platform/audit/audit.js';
import { ValidationError } from '../../platform/errors.js';
import { utf8Body } from '../../platform/http/json-body.js';
import { IdCursor } from '../../platform/http/schemas.js';
import type { App } from '../../platform/http/types.js';
import { PermissionDeniedError } from '../identity/index.js';
import { exportProductsCsv } from './exporter.js';
import type { ImportDeps } from './importer.js';
import { getImportJob, listImportJobs, queueImportJob } from './jobs.js';

/** Uploads up to this size are accepted (a 10,000-product catalog is about 3 MB). */
export const IMPORT_BODY_LIMIT = 50 * 1024 * 1024;

const RowError = Type.Object({ row: Type.Integer(), column: Type.String(), message: Type.String() });
const Status = Type.Union([
  Type.Literal('queued'),
  Type.Literal('running'),
  Type.Literal('done'),
  Type.Literal('rejected'),
  Type.Literal('failed'),
]);
const Job = Type.Object({
  id: Type.String(),
  status: Status,
  partial: Type.Boolean(),
  totalRows: Type.Integer(),
  processedRows: Type.Integer(),
  productsCreated: Type.Integer(),
  productsUpdated: Type.Integer(),
  skippedProducts: Type.Integer(),
  stockLevelsChanged: Type.Integer(),
  errorCount: Type.Integer(),
  errors: Type.Array(RowError, { description: 'row-by-row problems (the first 1,000)' }),
  failure: Type.Union([Type.Null(), Type.String()]),
  createdAt: Type.String({ format: 'date-time' }),
  startedAt: Type.Union([Type.Null(), Type.String({ format: 'date-time' })]),
  finishedAt: Type.Union([Type.Null(), Type.String({ format: 'date-time' })]),
});

const JobSummary = Type.Omit(Job, ['errors']);

/** Product CSV import (async job) and export (`catalog:write` / `catalog:read`). */
export async function importRoutes(app: App, deps: ImportDeps) {
  // UTF-8 only: other bytes would otherwise be imported as U+FFFD (415 for another declared charset, 400 for bad bytes).
  app.addContentTypeParser('text/csv', { parseAs: 'buffer', bodyLimit: IMPORT_BODY_LIMIT }, (req, body, done) => {
    try {
      done(null, utf8Body(req.headers['content-type'], body as Buffer));
    } catch (err) {
      done(err as Error, undefined);
    }
  });

  app.post(
    '/v1/admin/imports',
    {
      config: { auth: { permission: 'catalog:write' } },
      bodyLimit: IMPORT_BODY_LIMIT,
      schema: {
        tags: ['admin: imports'],
        summary: 'Upload a product CSV (content-type text/csv); a worker imports it — poll the job',
        description:
          'A file with any invalid row changes nothing (status `rejected`, with row-by-row errors) unless ' +
          '`partial=true`, which imports the products whose rows are all valid. Stock columns also need `inventory:adjust`.',
        querystring: Type.Object({ partial: Type.Boolean({ default: false }) }, { additionalProperties: false }),
        // The document would otherwise offer a JSON string body, which a generated client would send.
        consumes: ['text/csv'],
        body: Type.String({ minLength: 1, description: 'the CSV file' }),
        response: { 202: Job },
      },
    },
    async (request, reply) => {
      const csv = request.body;
      const header = csv.slice(0, csv.indexOf('\n') === -1 ? csv.length : csv.indexOf('\n'));
      const p = request.principal;
      if (
        /(^|,)\s*"?stock_/.test(header) &&
        (p.type === 'staff' || p.type === 'api_key') &&
        !p.permissions.has('inventory:adjust')
      ) {
        throw new PermissionDeniedError('inventory:adjust');
      }
      if (!header.includes('handle'))
        throw new ValidationError([{ path: '/body', message: 'the first line must be the CSV header' }]);
      const job = await queueImportJob(deps.catalog.db, requestAuditContext(request), {
        csv,
        partial: request.query.partial,
      });
      reply.header('location', `/v1/admin/imports/${job.id}`);
      return reply.code(202).send(job);
    },
  );

  app.get(
    '/v1/admin/imports',
    {
      config: { auth: { permission: 'catalog:read' } },
      schema: {
        tags: ['admin: imports'],
        summary: 'Past import jobs, newest first (without their error reports: read one job for that)',
        querystring: Type.Object(
          {
            limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
            cursor: Type.Optional(IdCursor('importJob')),
            status: Type.Optional(Status),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ data: Type.Array(JobSummary), nextCursor: Type.Union([Type.Null(), Type.String()]) }),
        },
      },
    },
    async (request) => listImportJobs(deps.catalog.db, request.query),
  );

  app.get(
    '/v1/admin/imports/:id',
    {
      config: { auth: { permission: 'catalog:read' } },
      schema: {
        tags: ['admin: imports'],
        summary: 'An import job: status, progress and the error report',
        params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) }),
        response: { 200: Job },
      },
    },
    async (request) => getImportJob(deps.catalog.db, request.params.id),
  );

  app.get(
    '/v1/admin/exports/products.csv',
    {
      config: { auth: { permission: 'catalog:read' } },
      schema: {
        tags: ['admin: imports'],
        summary: 'Every product in the import format (streamed)',
        produces: ['text/csv'],
        response: {
          200: {
            description: 'The CSV file (`text/csv; charset=utf-8`, as an attachment)',
            content: { 'text/csv': { schema: Type.String({ description: 'the product CSV, header line first' }) } },
          },
        },
      },
    },
    async (_request, reply) => {
      reply.header('content-type', 'text/csv; charset=utf-8');
      reply.header('content-disposition', 'attachment; filename="products.csv"');
      // A stream bypasses response serialization; the schema documents the media type.
      return reply.send(Readable.from(exportProductsCsv(deps)) as unknown as string);
    },
  );
}
