import type { ColumnType, Generated } from 'kysely';

export type OutboxStatus = 'pending' | 'delivered' | 'dead';

export interface OutboxEventTable {
  id: string;
  type: string;
  aggregate_id: string | null;
  payload: ColumnType<Record<string, unknown>, string, string>;
  request_id: string | null;
  status: Generated<OutboxStatus>;
  attempts: Generated<number>;
  available_at: Generated<Date>;
  last_error: string | null;
  created_at: Generated<Date>;
  delivered_at: Date | null;
  /** Commit-order position, given by the sequencer once the event is visible (null until then). */
  position: ColumnType<string | null, never, string | null>;
  sequenced_at: Date | null;
}

export interface OutboxTables {
  outbox_event: OutboxEventTable;
}

declare module '../db/database.js' {
  interface Database extends OutboxTables {}
}
