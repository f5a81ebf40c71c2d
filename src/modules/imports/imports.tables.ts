import type { ColumnType, Generated, RawBuilder } from 'kysely';
import type { ActorType } from '../../platform/audit/audit.js';
import type { RowError } from './csv-format.js';

export interface ImportJobTable {
  id: string;
  kind: 'products';
  status: 'queued' | 'running' | 'done' | 'rejected' | 'failed';
  partial: Generated<boolean>;
  csv: string | null;
  total_rows: Generated<number>;
  processed_rows: Generated<number>;
  products_created: Generated<number>;
  products_updated: Generated<number>;
  skipped_products: Generated<number>;
  stock_levels_changed: Generated<number>;
  error_count: Generated<number>;
  errors: ColumnType<RowError[], RawBuilder<RowError[]> | undefined, RawBuilder<RowError[]>>;
  failure: string | null;
  attempts: Generated<number>;
  claimed_until: ColumnType<Date | null, Date | null | undefined, Date | null | RawBuilder<Date>>;
  actor_type: ActorType;
  actor_id: string | null;
  created_at: Generated<Date>;
  started_at: Date | null;
  finished_at: ColumnType<Date | null, Date | null | undefined, Date | null | RawBuilder<Date>>;
}

declare module '../../platform/db/database.js' {
  interface Database {
    import_job: ImportJobTable;
  }
}
