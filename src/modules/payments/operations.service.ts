import { sql } from 'kysely';
import { type AuditContext, systemActor } from '../../platform/audit/audit.js';
import type { Tx } from '../../platform/db/database.js';
import { withTransaction } from '../../platform/db/transaction.js';
import { ValidationError } from '../../platform/errors.js';
import { CurrencyMismatchError, type Money, money } from '../../platform/money.js';
import { applyOperationOutcome, callOperation } from './operations.finish.js';
import type { PaymentsDeps } from './payments.deps.js';
import {
  PaymentAmountExceededError,
  PaymentNotFoundError,
  PaymentRequiresActionError,
  PaymentStateError,
} from './payments.errors.js';
import { claimOperations, type ReservedOperation, reserveOperation } from './payments.sql.js';
import type { OperationKind } from './payments.tables.js';
import { getPayment, type PaymentView } from './totals.js';

export interface PaymentAmountInput {
  paymentId: string;
  amount: Money;
  /** Who asks (staff and API keys are audited); default: the system. */
  actor?: AuditContext | undefined;
}

/**
 * Captures `amount` of an authorized payment: (1) a short transaction reserves it under the row
 * lock (≤ authorized − captured − captures in flight) and records the pending operation with its
 * gateway key `<paymentId>:capture:<n>`; (2) the gateway call, outside any transaction; (3) a
 * second transaction appends the ledger row and moves the totals — or, on a refusal, records the
 * failure and releases the reservation.
 * @throws PaymentAmountExceededError (422), PaymentStateError (409), PaymentNotFoundError (404),
 *   CurrencyMismatchError (422), PaymentDeclinedError (402), PaymentProviderError (502/503: the
 *   capture stays pending and `reconcilePendingOperations` finishes it with the same key).
 */
export function capturePayment(deps: PaymentsDeps, input: PaymentAmountInput): Promise<PaymentView> {
  return runOperation(deps, 'capture', input.paymentId, input.amount, input.actor);
}

/**
 * Refunds `amount` of what was captured (≤ captured − refunded − refunds in flight), in the same
 * three phases as {@link capturePayment}, with gateway key `<paymentId>:refund:<n>`.
 * @throws as capturePayment.
 */
export function refundPayment(deps: PaymentsDeps, input: PaymentAmountInput): Promise<PaymentView> {
  return runOperation(deps, 'refund', input.paymentId, input.amount, input.actor);
}

/**
 * Releases the whole authorization; only while nothing is captured or being captured.
 * @throws PaymentStateError (409) otherwise; PaymentDeclinedError; PaymentProviderError.
 */
export function voidPayment(
  deps: PaymentsDeps,
  input: { paymentId: string; actor?: AuditContext | undefined },
): Promise<PaymentView> {
  return runOperation(deps, 'void', input.paymentId, null, input.actor);
}

async function runOperation(
  deps: PaymentsDeps,
  kind: OperationKind,
  paymentId: string,
  amount: Money | null,
  actor: AuditContext = systemActor,
): Promise<PaymentView> {
  if (amount) {
    money(amount.amount, amount.currency);
    if (amount.amount <= 0) throw new ValidationError([{ path: '/amount/amount', message: 'must be positive' }]);
  }
  const op = await withTransaction(deps.db, async (tx) => {
    // The unanswered call first: after a timeout the gateway may well have acted, so the same request again must
    // repeat that call with its key. Reserving first would start a second capture or refund whenever there is room
    // for one — a buyer refunded twice for one click repeated.
    const unanswered = await retryUnknown(tx, kind, paymentId, amount, deps.operationLeaseSeconds ?? 60);
    if (unanswered) return unanswered;
    const reserved = await reserveOperation(tx, {
      paymentId,
      kind,
      amount: amount?.amount ?? 0,
      currency: amount?.currency ?? null,
      leaseSeconds: deps.operationLeaseSeconds ?? 60,
      actor,
    });
    return reserved ?? refusal(tx, kind, paymentId, amount);
  });
  const outcome = await callOperation(deps, op);
  const applied = await withTransaction(deps.db, (tx) => applyOperationOutcome(tx, op, outcome, actor));
  if (applied.error) throw applied.error;
  return getPayment(deps.db, paymentId);
}

/**
 * The same request again after its gateway call ended without an answer (timeout, 5xx: `last_error` set): the
 * operation is still ours and pending, so the retry repeats it — same idempotency key, so the gateway acts at most
 * once — instead of refusing because its amount is still reserved.
 */
async function retryUnknown(
  tx: Tx,
  kind: OperationKind,
  paymentId: string,
  amount: Money | null,
  leaseSeconds: number,
): Promise<ReservedOperation | null> {
  const due = sql`
    select o.id from payment_operation o
     where o.payment_id = ${paymentId} and o.kind = ${kind} and o.status = 'pending' and o.last_error is not null
       and (${amount?.amount ?? null}::bigint is null or o.amount = ${amount?.amount ?? null}::bigint)
     order by o.created_at, o.id
     limit 1
       for update skip locked`;
  return (await claimOperations(tx, due, leaseSeconds))[0] ?? null;
}

/** Why the reservation statement changed nothing (read under the same transaction). */
async function refusal(tx: Tx, kind: OperationKind, paymentId: string, amount: Money | null): Promise<never> {
  const p = await tx.selectFrom('payment').selectAll().where('id', '=', paymentId).executeTakeFirst();
  if (!p) throw new PaymentNotFoundError(paymentId);
  if (amount && amount.currency !== p.currency) throw new CurrencyMismatchError(amount.currency, p.currency);
  if (p.stage === 'requires_action') throw new PaymentRequiresActionError(p.id);
  if (p.stage !== 'authorized' || p.pending_void || (kind === 'void' && (p.captured > 0 || p.pending_capture > 0))) {
    throw new PaymentStateError(p.id, p.pending_void ? 'being voided' : p.status, kind);
  }
  const available =
    kind === 'capture' ? p.authorized - p.captured - p.pending_capture : p.captured - p.refunded - p.pending_refund;
  throw new PaymentAmountExceededError(kind === 'capture' ? 'capture' : 'refund', amount?.amount ?? 0, available);
}

export type { ReservedOperation };
