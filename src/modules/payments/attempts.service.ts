import type { Queryable, Tx } from '../../platform/db/database.js';
import { jsonb } from '../../platform/db/json.js';
import { withTransaction } from '../../platform/db/transaction.js';
import { AppError, ConflictError, ValidationError } from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';
import { type Money, money } from '../../platform/money.js';
import { appendEvent } from '../../platform/outbox/outbox.js';
import { errorText, type PaymentsDeps, withDeadline } from './payments.deps.js';
import {
  PaymentDeclinedError,
  PaymentNotFoundError,
  PaymentProcessingError,
  PaymentProviderError,
  PaymentStateError,
} from './payments.errors.js';
import type { AttemptEventType } from './payments.events.js';
import { type LedgerRow, type OutcomeInput, recordOutcome } from './payments.sql.js';
import { type CaptureMethod, type InitiateResult, idempotencyKeys } from './provider.js';
import { getPayment, type PaymentView } from './totals.js';

/**
 * A checkout's payment attempt in three phases: `startPayment` (phase 1, in the checkout's
 * transaction), `callProvider` (phase 2, no transaction), `recordPaymentOutcome` (phase 3, in the
 * checkout's second transaction). `initiatePayment` runs all three for callers without their own.
 */

export interface StartPaymentInput {
  cartId: string;
  /** A configured provider id; an unknown one is a 422 naming `/provider`. */
  provider: string;
  amount: Money;
  customer?: { email: string } | undefined;
  returnUrl?: string | undefined;
  /** Passed to the gateway (never secrets); the test gateway reads `testOutcome`. */
  metadata?: Record<string, string> | undefined;
  /** The region's setting: take the money at authorization (`automatic`) or when staff capture (default). */
  captureMethod?: CaptureMethod | undefined;
}

/** What phase 2 needs; the payment id is the attempt id every gateway key derives from. */
export interface StartedPayment {
  paymentId: string;
  provider: string;
  amount: Money;
  idempotencyKey: string;
  customer?: { email: string } | undefined;
  returnUrl?: string | undefined;
  metadata: Record<string, string>;
  captureMethod: CaptureMethod;
  /**
   * `initiate` (default): the first call. `authorize`: the attempt already exists at the gateway (prepared when the
   * buyer chose the method, or waiting for 3-D Secure) and the gateway is asked for the buyer's result.
   */
  step?: 'initiate' | 'authorize' | undefined;
  providerReference?: string | undefined;
}

/** The gateway's answer, or the error it failed with (phase 2 never throws). */
export type ProviderOutcome = { ok: true; result: InitiateResult } | { ok: false; error: unknown };

export interface PaymentAttemptResult {
  payment: PaymentView;
  /** For the storefront (e.g. a client secret) when the gateway gave any. */
  clientData?: Record<string, string> | undefined;
  /** Set when the attempt did not authorize: declined (402) or the gateway failed (502/503). */
  error?: AppError | undefined;
}

/**
 * Phase 1: creates the payment (status `pending`) in the caller's transaction.
 * @throws UnknownPaymentProviderError (422), UnknownCurrencyError / InvalidMoneyError (422),
 *   ValidationError when the amount is not positive.
 */
export async function startPayment(deps: PaymentsDeps, tx: Tx, input: StartPaymentInput): Promise<StartedPayment> {
  deps.providers.get(input.provider);
  const amount = money(input.amount.amount, input.amount.currency);
  if (amount.amount <= 0) throw new ValidationError([{ path: '/amount', message: 'must be positive' }]);
  const paymentId = newId('payment');
  const metadata = input.metadata ?? {};
  await tx
    .insertInto('payment')
    .values({
      id: paymentId,
      cart_id: input.cartId,
      order_id: null,
      provider: input.provider,
      currency: amount.currency,
      amount: amount.amount,
      provider_reference: null,
      idempotency_base: paymentId,
      metadata: jsonb(metadata),
      capture_method: input.captureMethod ?? 'manual',
    })
    .execute();
  return {
    paymentId,
    provider: input.provider,
    amount,
    idempotencyKey: idempotencyKeys.initiate(paymentId),
    customer: input.customer,
    returnUrl: input.returnUrl,
    metadata,
    captureMethod: input.captureMethod ?? 'manual',
  };
}

/** Phase 2: asks the gateway, with a deadline and our idempotency key. Never throws; no database. */
export async function callProvider(deps: PaymentsDeps, started: StartedPayment): Promise<ProviderOutcome> {
  try {
    const provider = deps.providers.get(started.provider);
    const reference = started.providerReference;
    const result = await withDeadline(deps, provider.id, () =>
      started.step === 'authorize' && reference
        ? provider.authorize({
            providerReference: reference,
            idempotencyKey: started.idempotencyKey,
            amount: started.amount,
            captureMethod: started.captureMethod,
          })
        : provider.initiate({
            attemptId: started.paymentId,
            idempotencyKey: started.idempotencyKey,
            amount: started.amount,
            customer: started.customer,
            returnUrl: started.returnUrl,
            metadata: started.metadata,
            captureMethod: started.captureMethod,
          }),
    );
    return { ok: true, result };
  } catch (error) {
    return { ok: false, error };
  }
}

/**
 * Phase 3: records the gateway's answer in the caller's transaction. Authorized (or captured) →
 * ledger rows + `payment.authorized` (+ `payment.captured`); declined → status `failed`, a failed
 * ledger row, `payment.failed`, and `error` = PaymentDeclinedError; requires_action → status
 * `requires_action` and `clientData`. A gateway failure or timeout changes nothing (the outcome is
 * unknown: repeat phase 2, same key) and comes back as `error`. A repeated report is a no-op.
 * Locks the payment row.
 */
export async function recordPaymentOutcome(
  tx: Tx,
  input: { paymentId: string; idempotencyKey: string; outcome: ProviderOutcome; requestId?: string },
): Promise<PaymentAttemptResult> {
  const p = await tx
    .selectFrom('payment')
    .select(['id', 'amount', 'stage', 'provider', 'idempotency_base'])
    .where('id', '=', input.paymentId)
    .forUpdate()
    .executeTakeFirst();
  if (!p) throw new PaymentNotFoundError(input.paymentId);
  const { outcome } = input;
  if (!outcome.ok && !(outcome.error instanceof PaymentDeclinedError)) {
    // Unknown outcome: nothing is recorded; the attempt stays pending and phase 2 may be repeated (same key).
    const error =
      outcome.error instanceof AppError
        ? outcome.error
        : new PaymentProviderError(p.provider, errorText(outcome.error), { cause: outcome.error });
    // Someone else (a webhook, the reconciler) already recorded the answer: nothing is wrong. An attempt prepared
    // for the buyer's action (`requires_action`) has no answer yet either: the caller must hear "no answer, retry".
    const waiting = p.stage === 'pending' || p.stage === 'requires_action';
    return { payment: await getPayment(tx, p.id), error: waiting ? error : undefined };
  }
  const result: InitiateResult = outcome.ok
    ? outcome.result
    : {
        status: 'declined',
        providerReference: '',
        declineCode: (outcome.error as PaymentDeclinedError).declineCode ?? undefined,
      };
  const key = input.idempotencyKey;
  const row = (kind: LedgerRow['kind'], status: LedgerRow['status'], k = key): LedgerRow => ({
    kind,
    status,
    amount: p.amount,
    idempotencyKey: k,
  });
  const base: Omit<OutcomeInput, 'stage' | 'rows'> = {
    paymentId: p.id,
    authorized: 0,
    captured: 0,
    providerReference: result.providerReference || null,
    declineCode: result.declineCode ?? null,
    raw: { status: result.status, declineCode: result.declineCode ?? null },
  };
  const plan: Record<InitiateResult['status'], OutcomeInput> = {
    authorized: { ...base, stage: 'authorized', authorized: p.amount, rows: [row('authorization', 'succeeded')] },
    captured: {
      ...base,
      stage: 'authorized',
      authorized: p.amount,
      captured: p.amount,
      rows: [
        row('authorization', 'succeeded'),
        {
          ...row('capture', 'succeeded', idempotencyKeys.capture(p.idempotency_base, 0)),
          providerReference: result.captureReference,
        },
      ],
    },
    declined: { ...base, stage: 'failed', rows: [row('authorization', 'failed')] },
    requires_action: { ...base, stage: 'requires_action', rows: [] },
    pending: { ...base, stage: 'pending', rows: [] },
  };
  const recorded = await recordOutcome(tx, plan[result.status]);
  if (result.clientData && result.status === 'requires_action') {
    await tx
      .updateTable('payment')
      .set({ client_data: jsonb(result.clientData) })
      .where('id', '=', p.id)
      .execute();
  }
  if (recorded) {
    const payload = {
      paymentId: p.id,
      cartId: recorded.cartId,
      orderId: recorded.orderId,
      amount: p.amount,
      currency: recorded.currency,
    };
    const event = (type: AttemptEventType) =>
      appendEvent(tx, { type, aggregateId: p.id, payload, ...(input.requestId ? { requestId: input.requestId } : {}) });
    if (result.status === 'authorized' || result.status === 'captured') await event('payment.authorized');
    if (result.status === 'captured') await event('payment.captured');
    if (result.status === 'declined') await event('payment.failed');
  }
  const payment = await getPayment(tx, p.id);
  return {
    payment,
    clientData: result.clientData ?? payment.clientData ?? undefined,
    error:
      payment.status === 'failed'
        ? new PaymentDeclinedError(payment.declineCode)
        : payment.status === 'pending' && result.status === 'pending'
          ? new PaymentProcessingError(p.id)
          : undefined,
  };
}

/**
 * All three phases for one attempt (two short transactions around the gateway call).
 * @throws PaymentDeclinedError (402) after the decline is recorded; PaymentProviderError (502/503)
 *   when the gateway failed — the payment stays `pending` and may be retried.
 */
export async function initiatePayment(deps: PaymentsDeps, input: StartPaymentInput): Promise<PaymentAttemptResult> {
  const started = await withTransaction(deps.db, (tx) => startPayment(deps, tx, input));
  const outcome = await callProvider(deps, started);
  const res = await withTransaction(deps.db, (tx) =>
    recordPaymentOutcome(tx, { paymentId: started.paymentId, idempotencyKey: started.idempotencyKey, outcome }),
  );
  if (res.error) throw res.error;
  return res;
}

/**
 * The second step of a `requires_action` payment (after 3-D Secure or a redirect): asks the
 * gateway to authorize, then records the answer like initiate.
 * @throws PaymentStateError (409) unless the payment requires action; PaymentDeclinedError;
 *   PaymentProviderError.
 */
export async function authorizePayment(deps: PaymentsDeps, paymentId: string): Promise<PaymentAttemptResult> {
  const p = await deps.db.selectFrom('payment').selectAll().where('id', '=', paymentId).executeTakeFirst();
  if (!p) throw new PaymentNotFoundError(paymentId);
  if (p.stage !== 'requires_action' || !p.provider_reference) throw new PaymentStateError(p.id, p.status, 'authorize');
  const provider = deps.providers.get(p.provider);
  const key = idempotencyKeys.authorize(p.idempotency_base);
  let outcome: ProviderOutcome;
  try {
    const amount = { amount: p.amount, currency: p.currency };
    const reference = p.provider_reference;
    const result = await withDeadline(deps, provider.id, () =>
      provider.authorize({ providerReference: reference, idempotencyKey: key, amount }),
    );
    outcome = { ok: true, result };
  } catch (error) {
    outcome = { ok: false, error };
  }
  const res = await withTransaction(deps.db, (tx) =>
    recordPaymentOutcome(tx, { paymentId, idempotencyKey: key, outcome }),
  );
  if (res.error) throw res.error;
  return res;
}

/**
 * Links a payment to the order it paid for (checkout phase 1/3). Idempotent for the same order.
 * @throws ConflictError 409 `PAYMENT_ORDER_MISMATCH` when it already belongs to another order.
 */
export async function attachOrder(tx: Tx, paymentId: string, orderId: string): Promise<void> {
  const row = await tx
    .updateTable('payment')
    .set({ order_id: orderId })
    .where('id', '=', paymentId)
    .where((eb) => eb.or([eb('order_id', 'is', null), eb('order_id', '=', orderId)]))
    .returning('id')
    .executeTakeFirst();
  if (row) return;
  await getPayment(tx, paymentId);
  throw new ConflictError('PAYMENT_ORDER_MISMATCH', `Payment ${paymentId} already belongs to another order.`);
}

/**
 * Rebuilds phase 2's input for an attempt still waiting for the gateway's first answer (stage `pending`), so a retry
 * — the buyer pressing "complete" again, or the worker after a crash — repeats initiate with the original key and the
 * gateway answers what it answered the first time. Null when the attempt already has an answer.
 */
export async function resumeAttempt(db: Queryable, paymentId: string): Promise<StartedPayment | null> {
  const p = await db
    .selectFrom('payment')
    .select(['id', 'provider', 'amount', 'currency', 'metadata', 'stage', 'capture_method', 'provider_reference'])
    .where('id', '=', paymentId)
    .executeTakeFirst();
  if (!p) throw new PaymentNotFoundError(paymentId);
  // A reference means the gateway already has the attempt: waiting for the buyer (requires_action) or for its own
  // decision (pending after a `processing` answer). Either way, ask it for the result — repeating initiate would
  // replay the creation's answer from before the buyer paid.
  const waitsForBuyer = (p.stage === 'requires_action' || p.stage === 'pending') && p.provider_reference !== null;
  if (p.stage !== 'pending' && !waitsForBuyer) return null;
  return {
    paymentId: p.id,
    provider: p.provider,
    amount: { amount: p.amount, currency: p.currency },
    idempotencyKey: waitsForBuyer ? idempotencyKeys.authorize(p.id) : idempotencyKeys.initiate(p.id),
    metadata: (typeof p.metadata === 'string' ? JSON.parse(p.metadata) : p.metadata) as Record<string, string>,
    captureMethod: p.capture_method,
    ...(waitsForBuyer ? { step: 'authorize' as const, providerReference: p.provider_reference ?? undefined } : {}),
  };
}

/**
 * Gives up on an attempt that never got an answer (gateway unreachable, customer never finished 3-D Secure): stage
 * `failed` with decline code `abandoned`, so a late answer can no longer authorize it (recordPaymentOutcome only moves
 * pending attempts). Runs in the caller's transaction; true when it was still waiting.
 */
export async function abandonAttempt(tx: Tx, paymentId: string): Promise<boolean> {
  const row = await tx
    .updateTable('payment')
    .set({ stage: 'failed', decline_code: 'abandoned', updated_at: new Date() })
    .where('id', '=', paymentId)
    // Never one the gateway is still deciding (pending with a reference: it answered `processing`): its money may
    // arrive any time, and the gateway's webhook settles it.
    .where((eb) =>
      eb.or([
        eb('stage', '=', 'requires_action'),
        eb.and([eb('stage', '=', 'pending'), eb('provider_reference', 'is', null)]),
      ]),
    )
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}
