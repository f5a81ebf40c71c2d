import type { ColumnType, Generated, RawBuilder } from 'kysely';

/** Kysely types of the payments tables (migration 0016). */

export const paymentStages = ['pending', 'requires_action', 'authorized', 'failed', 'voided'] as const;
export type PaymentStage = (typeof paymentStages)[number];

/** The detailed status, derived by the database from the stage and the totals (a generated column). */
export type PaymentStatus =
  | 'pending'
  | 'requires_action'
  | 'authorized'
  | 'partially_captured'
  | 'captured'
  | 'partially_refunded'
  | 'refunded'
  | 'voided'
  | 'failed';

/** The payment's running totals and what is in flight: what every rule about moving money reads. */
export const moneyColumns = [
  'authorized',
  'captured',
  'refunded',
  'pending_capture',
  'pending_refund',
  'pending_void',
] as const;

/** `refund_reversal`: a counted refund the gateway later reported failed or cancelled (migration 0025). */
export type LedgerKind = 'authorization' | 'capture' | 'refund' | 'void' | 'refund_reversal';
export type OperationKind = 'capture' | 'refund' | 'void';

type Json = ColumnType<
  Record<string, unknown>,
  RawBuilder<Record<string, unknown>>,
  RawBuilder<Record<string, unknown>>
>;

export interface PaymentTable {
  id: string;
  cart_id: string;
  order_id: string | null;
  provider: string;
  currency: string;
  amount: number;
  stage: Generated<PaymentStage>;
  provider_reference: string | null;
  idempotency_base: string;
  decline_code: Generated<string | null>;
  metadata: Json;
  /** What the storefront needs for the gateway's step (client secret, approval link); null when none. */
  client_data: ColumnType<
    Record<string, string> | null,
    RawBuilder<Record<string, string>> | null | undefined,
    RawBuilder<Record<string, string>> | null
  >;
  capture_method: Generated<'automatic' | 'manual'>;
  /** When the buyer approved the attempt at the gateway (PayPal); no money moved until we authorize it. */
  approved_at: Generated<Date | null>;
  /** When the worker last asked the gateway about the buyer's approval (see checkApprovalsAtGateway). */
  approval_checked_at: Generated<Date | null>;
  authorized: Generated<number>;
  captured: Generated<number>;
  refunded: Generated<number>;
  pending_capture: Generated<number>;
  pending_refund: Generated<number>;
  pending_void: Generated<boolean>;
  capture_seq: Generated<number>;
  refund_seq: Generated<number>;
  status: ColumnType<PaymentStatus, never, never>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface PaymentOperationTable {
  id: string;
  payment_id: string;
  kind: OperationKind;
  amount: number;
  idempotency_key: string;
  status: Generated<'pending' | 'succeeded' | 'failed'>;
  lease_until: Date;
  attempts: Generated<number>;
  last_error: string | null;
  actor_type: string;
  actor_id: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface PaymentTransactionTable {
  id: string;
  payment_id: string;
  kind: LedgerKind;
  status: 'succeeded' | 'failed';
  amount: number;
  currency: string;
  provider_reference: string | null;
  idempotency_key: string;
  raw: Json;
  created_at: Generated<Date>;
}

export type InboxStatus = 'pending' | 'processed' | 'ignored' | 'failed';

export interface PaymentWebhookEventTable {
  provider: string;
  event_id: string;
  type: string;
  provider_type: string;
  event: Json;
  payment_id: string | null;
  status: Generated<InboxStatus>;
  result: string | null;
  attempts: Generated<number>;
  last_error: string | null;
  received_at: Generated<Date>;
  available_at: Generated<Date>;
  processed_at: Date | null;
}

export interface PaymentDisputeTable {
  provider: string;
  dispute_id: string;
  payment_id: string;
  status: string;
  reason: string | null;
  amount: number | null;
  currency: string | null;
  opened_at: Generated<Date>;
  closed_at: Date | null;
  updated_at: Generated<Date>;
}

export interface PaymentGatewayConfigTable {
  provider: 'stripe' | 'paypal';
  enabled: Generated<boolean>;
  settings: Json;
  secrets_sealed: string | null;
  updated_by: string | null;
  updated_at: Generated<Date>;
}

declare module '../../platform/db/database.js' {
  interface Database {
    payment_webhook_event: PaymentWebhookEventTable;
    payment_dispute: PaymentDisputeTable;
    payment_gateway_config: PaymentGatewayConfigTable;
    payment: PaymentTable;
    payment_operation: PaymentOperationTable;
    payment_transaction: PaymentTransactionTable;
  }
}
