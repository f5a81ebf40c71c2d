/**
 * payments — gateway adapters behind one `PaymentProvider` interface, payment attempts, and the
 * append-only payment ledger. The only file other modules import.
 *
 * Money never moves inside a transaction: every command runs in three phases — (1) a short
 * transaction decides under the payment's row lock and records an intent, (2) the gateway call
 * with an idempotency key derived from our ids, (3) a second transaction records the answer.
 * Totals (authorized, captured, refunded) are kept on the payment row for the conditional
 * statements and are always equal to the sums of the ledger (`verifyPaymentLedger`).
 */

import './payments.events.js';
import './payments.tables.js';

/** Asks gateways that report approvals (PayPal) about prepared attempts whose approval webhook never came. */
export { checkApprovalsAtGateway } from './approvals.service.js';
export {
  /** Gives up on an attempt with no answer yet (stage `failed`, decline code `abandoned`), in the caller's transaction. */
  abandonAttempt,
  /**
   * Links a payment to its order (idempotent for the same order); 409 `PAYMENT_ORDER_MISMATCH`
   * for another. Runs in the caller's transaction.
   */
  attachOrder,
  /**
   * Second step of a `requires_action` payment: gateway authorize + recorded answer.
   * @throws PaymentStateError, PaymentDeclinedError, PaymentProviderError.
   */
  authorizePayment,
  /** Checkout phase 2: the gateway's initiate call with our key and a deadline; never throws, no database. */
  callProvider,
  /**
   * Start → gateway → record, for callers without their own transactions.
   * @throws PaymentDeclinedError (after recording the decline), PaymentProviderError (payment stays pending).
   */
  initiatePayment,
  type PaymentAttemptResult,
  type ProviderOutcome,
  /**
   * Checkout phase 3: records the gateway answer (ledger rows, status, events) in the caller's
   * transaction; locks the payment row; a repeated report is a no-op. Failures come back in `error`.
   */
  recordPaymentOutcome,
  /** Phase 2's input again for an attempt still `pending` (null otherwise): retries repeat initiate with the same key. */
  resumeAttempt,
  type StartedPayment,
  type StartPaymentInput,
  /**
   * Checkout phase 1: creates the `pending` payment (the attempt) in the caller's transaction.
   * @throws UnknownPaymentProviderError (422, `/provider`), money errors (422), ValidationError.
   */
  startPayment,
} from './attempts.service.js';
/** `backroom payments reconcile`: our ledger against each gateway's view; `payment.mismatch` from the worker. */
export {
  compareWithGateways,
  emitMismatches,
  type GatewayReconcileReport,
  type PaymentDifference,
  parseDuration,
} from './gateway-reconcile.service.js';
/**
 * Gateway configuration: environment variables or admin-API values sealed with AES-256-GCM; `refreshGateways`
 * (re)registers Stripe/PayPal in a provider registry (at start, after a change, periodically).
 */
export {
  buildGateway,
  type GatewayEnv,
  type GatewayId,
  type GatewayView,
  gatewayIds,
  refreshGateways,
} from './gateways.service.js';
export {
  /**
   * Captures part or all of an authorization (≤ authorized − captured, enforced under the row lock).
   * Audits staff/API-key actors; appends `payment.captured`.
   * @throws PaymentAmountExceededError, PaymentStateError, PaymentNotFoundError, PaymentDeclinedError, PaymentProviderError.
   */
  capturePayment,
  type PaymentAmountInput,
  /**
   * Refunds part or all of what was captured (≤ captured − refunded); appends `payment.refunded`.
   * @throws as capturePayment.
   */
  refundPayment,
  /**
   * Releases an authorization with nothing captured; appends `payment.voided`.
   * @throws PaymentStateError when something is captured or being captured.
   */
  voidPayment,
} from './operations.service.js';
/** Gives back money a gateway holds for an attempt we gave up (cancel, or refund what was captured). */
export { releaseOrphanPayment } from './orphans.service.js';
/**
 * Attempts whose cart never became an order while the buyer is done at the gateway — authorized/captured, or
 * approved (PayPal) — a page at a time: for checkout to complete them.
 */
export { type PaidAttempt, paidAttemptsWithoutOrder } from './paid-attempts.js';
/** A payment as staff and webhook consumers see it (no client secret), many in one statement. */
export { PaymentResource, type PaymentResourceT, paymentResources } from './payment-resources.js';
/** What every payments command needs: the database, the provider lookup, the gateway deadline and the operation lease. */
export type { PaymentsDeps } from './payments.deps.js';
export {
  InvalidWebhookSignatureError,
  PaymentAmountExceededError,
  PaymentDeclinedError,
  PaymentNotFoundError,
  PaymentProcessingError,
  PaymentProviderError,
  PaymentRequiresActionError,
  PaymentStateError,
  UnknownPaymentProviderError,
  WebhookApiVersionError,
} from './payments.errors.js';
/** Admin gateway settings, the webhook inbox view, and `POST /v1/webhooks/{provider}` (raw body). */
export { type PaymentRoutesDeps, paymentRoutes } from './payments.routes.js';
export type { PaymentStatus } from './payments.tables.js';
/**
 * Payments' part of the privacy requests: `exportPayments` (the payments of orders/carts with their ledger) and
 * `erasePayments` (handled gateway event bodies, which carry the buyer's details, replaced; payments and ledger kept).
 */
export { erasePayments, exportPayments, type PaymentExport, type PaymentsOf } from './privacy.js';
export type {
  AuthorizeInput,
  CancelInput,
  CaptureMethod,
  InitiateInput,
  InitiateResult,
  InitiateStatus,
  MoneyCallInput,
  OperationResult,
  PaymentProvider,
  ProviderEvent,
} from './provider.js';
/** Gateway idempotency keys: `<paymentId>:initiate`, `:authorize`, `:capture:<n>`, `:refund:<n>`, `:void:<op>`. */
export { idempotencyKeys } from './provider.js';
/** Bank transfer / cash on delivery: authorized at checkout with reference `man_<paymentId>`, captured by staff. */
export { manualProvider } from './providers/manual.js';
// The adapters themselves are loaded on first use (buildGateway), so only their settings' types are exported here.
export type { PayPalSettings } from './providers/paypal.js';
/**
 * The configured gateways by id; `get(id, path)` throws UnknownPaymentProviderError (422) naming `path`.
 */
export {
  createPaymentProviders,
  type PaymentProviderSettings,
  type PaymentProviders,
} from './providers/registry.js';
/** Settings of the Stripe (official `stripe` SDK) and PayPal (official `@paypal/paypal-server-sdk`) adapters. */
export type { StripeSettings } from './providers/stripe.js';
/**
 * Gateway for tests: outcome from `metadata.testOutcome` (initiate) or `script()` (later calls):
 * approve | decline | error | timeout | requires_action; remembers idempotency keys.
 */
export {
  type TestOutcome,
  type TestPaymentProvider,
  type TestProviderSettings,
  testOutcomes,
  testProvider,
} from './providers/test.js';
/**
 * Worker entries. `reconcilePendingOperations`: finishes captures/refunds/voids whose caller
 * crashed or timed out, repeating the gateway call with the original key (claimed with SKIP LOCKED
 * + lease). `reconcilePendingPayments`: the same for attempts stuck in `pending` (repeats initiate
 * with `<paymentId>:initiate`).
 */
export {
  type ReconcileReport,
  reconcilePendingOperations,
  reconcilePendingPayments,
} from './reconcile.service.js';
/**
 * Read side: `getPayment` (404 PaymentNotFoundError), `paymentTotals` / `paymentTotalsForOrder`
 * (summed from the ledger, one statement), `paymentLedger` (oldest first), `verifyPaymentLedger`
 * (ids of payments whose totals differ from their ledger — should be none).
 */
export {
  getPayment,
  type LedgerEntry,
  type OrderPayment,
  type PaymentTotals,
  type PaymentView,
  paymentLedger,
  /** An order's payments, oldest first — how other modules read payments (never the table). */
  paymentsOfOrder,
  paymentTotals,
  paymentTotalsForOrder,
  verifyPaymentLedger,
} from './totals.js';
export type { AppliedEvent, ApplyResult } from './webhooks.apply.js';
/**
 * Inbound webhooks: `receiveWebhook` verifies the signature over the raw body (400 InvalidWebhookSignatureError,
 * nothing stored) and stores the event once per gateway event id; `processWebhookInbox` (worker) applies stored
 * events under the payment's row lock — before, after, during or twice with the caller: recorded once.
 */
export {
  applyProviderEvent,
  type InboxReport,
  listWebhookEvents,
  processWebhookInbox,
  type ReceiveResult,
  receiveWebhook,
  storeEvent,
} from './webhooks.service.js';
