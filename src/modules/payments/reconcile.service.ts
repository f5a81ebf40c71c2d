import { sql } from 'kysely';
import { systemActor } from '../../platform/audit/audit.js';
import { withTransaction } from '../../platform/db/transaction.js';
import { callProvider, recordPaymentOutcome, type StartedPayment } from './attempts.service.js';
import { applyOperationOutcome, callOperation } from './operations.finish.js';
import type { PaymentsDeps } from './payments.deps.js';
import { claimOperations } from './payments.sql.js';
import { type CaptureMethod, idempotencyKeys } from './provider.js';

export interface ReconcileReport {
  claimed: number;
  succeeded: number;
  failed: number;
  /** Still unknown (gateway down again): retried after the lease. */
  pending: number;
}

/**
 * Finishes operations left in flight — the caller crashed between phases, or the gateway timed
 * out. Claims up to `limit` pending operations whose lease ran out (`FOR UPDATE SKIP LOCKED`, and
 * the same statement extends their lease, so two workers never take the same one), repeats each
 * gateway call with the operation's original idempotency key (the gateway answers the first
 * result, never acting twice), and records the answer as phase 3 would. Run by a worker loop.
 */
export async function reconcilePendingOperations(
  deps: PaymentsDeps,
  opts: { limit?: number } = {},
): Promise<ReconcileReport> {
  const lease = deps.operationLeaseSeconds ?? 60;
  const claimed = await withTransaction(deps.db, async (tx) => {
    const due = sql`
      select id from payment_operation
       where status = 'pending' and lease_until <= now()
       order by lease_until, id
       limit ${opts.limit ?? 20}
         for update skip locked`;
    return claimOperations(tx, due, lease);
  });
  const report: ReconcileReport = { claimed: claimed.length, succeeded: 0, failed: 0, pending: 0 };
  for (const op of claimed) {
    const outcome = await callOperation(deps, op);
    const applied = await withTransaction(deps.db, (tx) => applyOperationOutcome(tx, op, outcome, systemActor));
    if (!applied.finished) report.pending += applied.error ? 1 : 0;
    else if (applied.error) report.failed += 1;
    else report.succeeded += 1;
  }
  return report;
}

/**
 * Finishes payment attempts stuck in `pending` — the checkout crashed after phase 1 or 2, or the
 * gateway timed out and nobody retried. Claims attempts untouched for `olderThanSeconds` (default
 * 120) with `FOR UPDATE SKIP LOCKED`, bumping `updated_at` in the same statement as a lease, then
 * repeats initiate with the attempt's original key (`<paymentId>:initiate`) and records the answer
 * (`payment.authorized` / `payment.failed`, which checkout and orders react to). Attempts the
 * gateway still reports as pending, or cannot answer for, are left for the next run.
 */
export async function reconcilePendingPayments(
  deps: PaymentsDeps,
  opts: { olderThanSeconds?: number; limit?: number } = {},
): Promise<{ claimed: number; resolved: number }> {
  const claimed = await withTransaction(deps.db, async (tx) => {
    const res = await sql<{
      id: string;
      provider: string;
      amount: number;
      currency: string;
      metadata: unknown;
      captureMethod: CaptureMethod;
    }>`
      with due as (
        select id from payment
         where stage = 'pending' and updated_at <= now() - make_interval(secs => ${opts.olderThanSeconds ?? 120})
         order by updated_at, id
         limit ${opts.limit ?? 20}
           for update skip locked
      )
      update payment p set updated_at = now() from due where p.id = due.id
      returning p.id, p.provider, p.amount, p.currency, p.metadata, p.capture_method as "captureMethod"`.execute(tx);
    return res.rows;
  });
  let resolved = 0;
  for (const p of claimed) {
    const started: StartedPayment = {
      paymentId: p.id,
      provider: p.provider,
      amount: { amount: p.amount, currency: p.currency },
      idempotencyKey: idempotencyKeys.initiate(p.id),
      metadata: (typeof p.metadata === 'string' ? JSON.parse(p.metadata) : p.metadata) as Record<string, string>,
      captureMethod: p.captureMethod,
    };
    const outcome = await callProvider(deps, started);
    const res = await withTransaction(deps.db, (tx) =>
      recordPaymentOutcome(tx, { paymentId: p.id, idempotencyKey: started.idempotencyKey, outcome }),
    );
    if (res.payment.status !== 'pending') resolved += 1;
  }
  return { claimed: claimed.length, resolved };
}
