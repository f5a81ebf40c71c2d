import type { Money } from '../../platform/money.js';

/**
 * The contract every gateway adapter implements (manual, test; later Stripe and PayPal). Adapters
 * do network I/O only — never database work — and are called outside any transaction. Every call
 * that moves money carries an idempotency key derived from our ids (`<paymentId>:capture:2`), so a
 * retry after a timeout reaches the gateway as the same request and happens at most once.
 */

export type InitiateStatus = 'requires_action' | 'authorized' | 'captured' | 'declined' | 'pending';

export interface InitiateInput {
  /** Our payment attempt id; the gateway key of this call is `idempotencyKey`. */
  attemptId: string;
  idempotencyKey: string;
  amount: Money;
  customer?: { email: string } | undefined;
  returnUrl?: string | undefined;
  metadata: Record<string, string>;
}

export interface InitiateResult {
  status: InitiateStatus;
  providerReference: string;
  /** What the storefront needs to continue (e.g. a client secret, a redirect URL). */
  clientData?: Record<string, string> | undefined;
  declineCode?: string | undefined;
}

export interface AuthorizeInput {
  providerReference: string;
  idempotencyKey: string;
  amount: Money;
}

export interface MoneyCallInput {
  providerReference: string;
  amount: Money;
  idempotencyKey: string;
}

export interface CancelInput {
  providerReference: string;
  idempotencyKey: string;
}

/** A gateway's answer to capture/refund/cancel: done, or definitively refused. */
export interface OperationResult {
  status: 'succeeded' | 'declined';
  /** The gateway's id of this capture/refund, when it has one. */
  providerReference?: string | undefined;
  declineCode?: string | undefined;
}

/** A gateway webhook, normalised. `idempotencyKey` is ours, echoed back by the gateway when it can. */
export interface ProviderEvent {
  /** The gateway's event id (deliveries of one event share it). */
  eventId: string;
  type: 'authorized' | 'captured' | 'refunded' | 'voided' | 'failed';
  providerReference: string;
  amount?: Money | undefined;
  idempotencyKey?: string | undefined;
}

export interface PaymentProvider {
  readonly id: string;
  /**
   * True when the provider answers without any I/O (manual payment: a bank transfer is "authorized" by
   * definition). Only such a provider may be called inside a transaction: checkout then settles the attempt in its
   * first transaction instead of three phases. Every network gateway leaves it unset.
   */
  readonly inline?: boolean;
  initiate(input: InitiateInput): Promise<InitiateResult>;
  /** Second step for flows whose initiate answered `requires_action` (after 3-D Secure, a redirect). */
  authorize(input: AuthorizeInput): Promise<InitiateResult>;
  capture(input: MoneyCallInput): Promise<OperationResult>;
  refund(input: MoneyCallInput): Promise<OperationResult>;
  cancel(input: CancelInput): Promise<OperationResult>;
  /** @throws InvalidWebhookSignatureError when the body is not signed by the gateway. */
  parseWebhook(rawBody: Buffer, headers: Record<string, string | string[] | undefined>): ProviderEvent;
}

/** Gateway keys are ours: one base per payment, one suffix per call. */
export const idempotencyKeys = {
  initiate: (base: string) => `${base}:initiate`,
  authorize: (base: string) => `${base}:authorize`,
  capture: (base: string, seq: number) => `${base}:capture:${seq}`,
  refund: (base: string, seq: number) => `${base}:refund:${seq}`,
  void: (base: string) => `${base}:void`,
};
