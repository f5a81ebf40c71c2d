import type { ColumnType, Generated } from 'kysely';

export interface IdempotencyKeyTable {
  scope: string;
  key: string;
  request_hash: string;
  method: string;
  path: string;
  status: 'in_flight' | 'completed';
  locked_until: Date | null;
  response_status: number | null;
  response_headers: ColumnType<Record<string, string> | null, string | null, string | null>;
  response_body: string | null;
  created_at: Generated<Date>;
  expires_at: Date;
}

declare module '../db/database.js' {
  interface Database {
    idempotency_key: IdempotencyKeyTable;
  }
}
