import type { ColumnType, Generated } from 'kysely';
import type { ActorType } from '../../platform/audit/audit.js';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export const returnStatuses = ['requested', 'approved', 'rejected', 'received'] as const;
export type ReturnStatus = (typeof returnStatuses)[number];

export const returnReasons = ['damaged', 'wrong_item', 'not_as_described', 'no_longer_needed', 'other'] as const;
export type ReturnReason = (typeof returnReasons)[number];

export interface ReturnRequestTable {
  id: string;
  order_id: string;
  status: Generated<ReturnStatus>;
  requested_by_type: ActorType;
  requested_by_id: string | null;
  note: string | null;
  rejection_reason: string | null;
  currency: string;
  refunded_amount: Generated<number>;
  created_at: Generated<Date>;
  approved_at: Timestamp | null;
  rejected_at: Timestamp | null;
  received_at: Timestamp | null;
  updated_at: Generated<Date>;
}

export interface ReturnLineTable {
  id: string;
  return_id: string;
  order_line_id: string;
  quantity: number;
  reason: ReturnReason;
  note: string | null;
  received_quantity: Generated<number>;
  restocked_quantity: Generated<number>;
  position: number;
}

declare module '../../platform/db/database.js' {
  interface Database {
    return_request: ReturnRequestTable;
    return_line: ReturnLineTable;
  }
}
