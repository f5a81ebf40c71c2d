/**
 * imports — product CSV import (validated first, written in batches; async jobs over HTTP) and
 * export in the same format. Depends on catalog and inventory through their public APIs.
 */

export { type ParsedFile, parseProductCsv, type RowError } from './csv-format.js';
export { exportProductsCsv } from './exporter.js';
export {
  type ImportDeps,
  type ImportOptions,
  type ImportReport,
  importProductsCsv,
  type ProductBatch,
  writeProductBatch,
} from './importer.js';
export { IMPORT_BODY_LIMIT, importRoutes } from './imports.routes.js';
export {
  getImportJob,
  type ImportJobSummary,
  type ImportJobView,
  listImportJobs,
  queueImportJob,
  runNextImportJob,
} from './jobs.js';

import './imports.tables.js';
