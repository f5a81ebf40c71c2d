import type { Money } from '../../platform/money.js';

/**
 * The contract every gateway adapter implements (manual, test; later Stripe and PayPal). Adapters
 * do network I/O only — never database work — and are called outside any transaction. Every call
 * that moves money carries an idempotency key derived from our ids (`<paymentId>:capture:2`), so a
 * retry after a timeout reaches the gateway as the same request and happens at most once.
 */

export type InitiateStatus = 'requires_action' | 'authorized' | 'captured' | 'declined' | 'pending';

/** When the money moves: at authorization (`automatic`) or when staff capture (`manual`). A region setting. */
export type CaptureMethod = 'automatic' | 'manual';

export interface InitiateInput {
  /** Our payment attempt id; the gateway key of this call is `idempotencyKey`. */
  attemptId: string;
  idempotencyKey: string;
  amount: Money;
  /** Default `manual` (authorize now, capture later). */
  captureMethod?: CaptureMethod | undefined;
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
  /**
   * For `captured`: the gateway's id of the capture, when it is its own object (PayPal's capture of a CAPTURE
   * order). Kept on the ledger's capture row, so the capture's webhook and refunds or reversals naming that capture
   * find this payment.
   */
  captureReference?: string | undefined;
}

export interface AuthorizeInput {
  providerReference: string;
  idempotencyKey: string;
  amount: Money;
  captureMethod?: CaptureMethod | undefined;
}

export interface MoneyCallInput {
  providerReference: string;
  amount: Money;
  idempotencyKey: string;
  /** Our payment id (gateways that echo it back in webhooks: Stripe metadata, PayPal custom_id). */
  paymentId?: string | undefined;
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

export type ProviderEventType =
  /**
   * The buyer approved the payment at the gateway (PayPal `CHECKOUT.ORDER.APPROVED`); no money moves until we
   * authorize or capture it — checkout completes the cart for a buyer who does not come back.
   */
  | 'approved'
  | 'authorized'
  | 'captured'
  | 'refunded'
  /** A refund the gateway accepted (and we counted) failed or was cancelled afterwards: it is taken back. */
  | 'refund_failed'
  | 'voided'
  | 'failed'
  /** The gateway took captured money back on its own (PayPal `PAYMENT.CAPTURE.REVERSED`). */
  | 'reversed'
  | 'dispute_opened'
  | 'dispute_closed'
  | 'other';

/**
 * A gateway webhook, normalised by the adapter (after its signature check). The worker finds our payment by
 * `paymentId`, else by `providerReference`, else by `objectReference` in the ledger (a dispute names a capture).
 */
export interface ProviderEvent {
  /** The gateway's event id (deliveries of one event share it): the inbox key. */
  eventId: string;
  type: ProviderEventType;
  /** The gateway's own name of the event, e.g. `payment_intent.succeeded`, `PAYMENT.CAPTURE.COMPLETED`. */
  providerType: string;
  /** Our payment id when the gateway echoes it (Stripe `metadata.backroom_payment_id`, PayPal `custom_id`). */
  paymentId?: string | undefined;
  /** The payment's reference at the gateway (Stripe PaymentIntent id, PayPal order id), when known. */
  providerReference?: string | undefined;
  /** The id of the capture/refund/dispute object the event is about (ch_…, re_…, PayPal capture/refund id). */
  objectReference?: string | undefined;
  /** The capture a refund or reversal belongs to (PayPal: the refund's `up` link), to find its payment by. */
  parentReference?: string | undefined;
  /**
   * The money of the event. With `cumulative` it is the running total at the gateway (Stripe's `amount_received`,
   * `amount_refunded`), otherwise the amount of this one capture/refund (PayPal).
   */
  amount?: Money | undefined;
  cumulative?: boolean | undefined;
  /** Our idempotency key of the call that caused it, when the gateway echoes it (PayPal `invoice_id`, Stripe refund metadata). */
  idempotencyKey?: string | undefined;
  declineCode?: string | undefined;
  /**
   * For `refund_failed` (the refund's id is `objectReference`, its amount `amount`): the gateway's status and reason,
   * and the reference a refund made at the gateway was counted under (Stripe: the charge of `charge.refunded`).
   */
  refundFailure?: { status: string; reason?: string | null | undefined; countedUnder?: string | undefined } | undefined;
  dispute?:
    | { id: string; reason?: string | undefined; status?: string | undefined; amount?: Money | undefined }
    | undefined;
}

/** The gateway's view of one payment, for reconciliation (minor units). */
export interface ProviderPaymentView {
  providerReference: string;
  /** Our payment id as the gateway stored it (metadata / custom_id), when it has it. */
  paymentId?: string | undefined;
  status: string;
  /** The buyer approved at the gateway and nothing is authorized or captured yet (PayPal `APPROVED`). */
  approved?: boolean | undefined;
  currency: string;
  authorized: number;
  captured: number;
  refunded: number;
}

export interface PaymentProvider {
  readonly id: string;
  /**
   * True when the provider answers without any I/O (manual payment: a bank transfer is "authorized" by
   * definition). Only such a provider may be called inside a transaction: checkout then settles the attempt in its
   * first transaction instead of three phases. Every network gateway leaves it unset.
   */
  readonly inline?: boolean;
  /**
   * True when the buyer acts in the browser before completing (Stripe's card fields confirm a PaymentIntent, PayPal's
   * approval page): choosing the method (`POST /carts/{id}/payment`) initiates the attempt and returns its client
   * data; completion then asks the gateway for the buyer's result (`authorize`) instead of initiating.
   */
  readonly prepares?: boolean;
  /**
   * True when the buyer's approval at the gateway moves no money until we authorize (PayPal) and `lookup` reports it
   * (`approved`): the worker then asks about prepared attempts whose approval webhook never came.
   */
  readonly reportsApproval?: boolean;
  initiate(input: InitiateInput): Promise<InitiateResult>;
  /** Second step for flows whose initiate answered `requires_action` (after 3-D Secure, a redirect). */
  authorize(input: AuthorizeInput): Promise<InitiateResult>;
  capture(input: MoneyCallInput): Promise<OperationResult>;
  refund(input: MoneyCallInput): Promise<OperationResult>;
  cancel(input: CancelInput): Promise<OperationResult>;
  /**
   * Verifies the signature over the raw bytes, then normalises the event. Nothing may be parsed before the check.
   * @throws InvalidWebhookSignatureError when the body is not signed by the gateway (or is too old).
   */
  verifyWebhook(rawBody: Buffer, headers: Record<string, string | string[] | undefined>): Promise<ProviderEvent>;
  /** The gateway's view of a payment, for `backroom payments reconcile` (gateways without a lookup are skipped). */
  lookup?(providerReference: string): Promise<ProviderPaymentView>;
  /** Payments the gateway created since `since` (to find ones we have no record of); optional. */
  recentPayments?(since: Date): Promise<ProviderPaymentView[]>;
}

/** Gateway keys are ours: one base per payment, one suffix per call. */
export const idempotencyKeys = {
  initiate: (base: string) => `${base}:initiate`,
  authorize: (base: string) => `${base}:authorize`,
  capture: (base: string, seq: number) => `${base}:capture:${seq}`,
  refund: (base: string, seq: number) => `${base}:refund:${seq}`,
  void: (base: string) => `${base}:void`,
};
