import { sql } from 'kysely';
import type { AuditContext } from '../../platform/audit/audit.js';
import type { Tx } from '../../platform/db/database.js';
import { jsonb } from '../../platform/db/json.js';
import { newId } from '../../platform/ids.js';
import type { OperationKind, PaymentStatus } from './payments.tables.js';

/**
 * The conditional statements behind every payment change. Each decides and writes in one
 * statement under the payment's row lock, so two requests can never both see "1,000 left".
 */

export interface ReservedOperation {
  operationId: string;
  paymentId: string;
  kind: OperationKind;
  amount: number;
  currency: string;
  provider: string;
  providerReference: string | null;
  idempotencyKey: string;
}

export interface ReserveInput {
  paymentId: string;
  kind: OperationKind;
  /** Ignored for `void` (the whole remaining authorization is released). */
  amount: number;
  currency: string | null;
  leaseSeconds: number;
  actor: AuditContext;
}

/**
 * Phase 1 of capture/refund/void: reserves the amount on the payment (pending_capture/refund or
 * pending_void) and inserts the pending operation with its gateway key — or does nothing and
 * returns null when the rule is not met (capture ≤ authorized − captured − in flight; refund ≤
 * captured − refunded − in flight; void only with nothing captured or in flight).
 */
export async function reserveOperation(tx: Tx, input: ReserveInput): Promise<ReservedOperation | null> {
  const { kind, amount } = input;
  const opId = newId('paymentOperation');
  const res = await sql<ReservedOperation>`
    with p as (
      update payment set
        pending_capture = pending_capture + case when ${kind} = 'capture' then ${amount}::bigint else 0 end,
        pending_refund = pending_refund + case when ${kind} = 'refund' then ${amount}::bigint else 0 end,
        pending_void = pending_void or ${kind} = 'void',
        capture_seq = capture_seq + case when ${kind} = 'capture' then 1 else 0 end,
        refund_seq = refund_seq + case when ${kind} = 'refund' then 1 else 0 end,
        updated_at = now()
      where id = ${input.paymentId} and stage = 'authorized'
        and (${input.currency}::text is null or currency = ${input.currency})
        and case ${kind}::text
              when 'capture' then not pending_void and authorized - captured - pending_capture >= ${amount}
              when 'refund' then captured - refunded - pending_refund >= ${amount}
              else not pending_void and captured = 0 and pending_capture = 0
            end
      returning id, idempotency_base, capture_seq, refund_seq, authorized, currency, provider, provider_reference
    ),
    op as (
      insert into payment_operation (id, payment_id, kind, amount, idempotency_key, lease_until, actor_type, actor_id)
      select ${opId}, p.id, ${kind},
             case when ${kind} = 'void' then p.authorized else ${amount}::bigint end,
             case ${kind}::text
               when 'capture' then p.idempotency_base || ':capture:' || p.capture_seq
               when 'refund' then p.idempotency_base || ':refund:' || p.refund_seq
               else p.idempotency_base || ':void:' || ${opId}
             end,
             now() + make_interval(secs => ${input.leaseSeconds}), ${input.actor.actorType}, ${input.actor.actorId}
        from p
      returning id, payment_id, kind, amount, idempotency_key
    )
    select op.id as "operationId", op.payment_id as "paymentId", op.kind, op.amount, p.currency, p.provider,
           p.provider_reference as "providerReference", op.idempotency_key as "idempotencyKey"
      from op join p on p.id = op.payment_id`.execute(tx);
  return res.rows[0] ?? null;
}

export interface FinishInput {
  operationId: string;
  outcome: 'succeeded' | 'failed';
  providerReference?: string | undefined;
  /** What the gateway said (status, decline code …) — never secrets. */
  raw: Record<string, unknown>;
  lastError?: string | undefined;
}

export interface FinishedOperation {
  paymentId: string;
  kind: OperationKind;
  amount: number;
  currency: string;
  status: PaymentStatus;
  cartId: string;
  orderId: string | null;
  idempotencyKey: string;
}

/**
 * Phase 3: moves a pending operation to its outcome, releases its reservation, adds a success to
 * the payment's totals and appends the ledger row — all or nothing. Compare-and-set on the
 * operation's `pending` status: a second report (the reconciler, a webhook, a late caller) changes
 * nothing and gets null. The ledger's unique idempotency key is the last line of defence: a
 * duplicate row would fail the whole statement rather than let totals and ledger drift apart.
 */
export async function finishOperation(tx: Tx, input: FinishInput): Promise<FinishedOperation | null> {
  const ok = input.outcome === 'succeeded';
  const res = await sql<FinishedOperation>`
    with op as (
      update payment_operation set status = ${input.outcome}, updated_at = now(),
             last_error = coalesce(${input.lastError ?? null}::text, last_error)
       where id = ${input.operationId} and status = 'pending'
      returning id, payment_id, kind, amount, idempotency_key
    ),
    p as (
      update payment p set
        captured = p.captured + case when op.kind = 'capture' and ${ok} then op.amount else 0 end,
        refunded = p.refunded + case when op.kind = 'refund' and ${ok} then op.amount else 0 end,
        pending_capture = p.pending_capture - case when op.kind = 'capture' then op.amount else 0 end,
        pending_refund = p.pending_refund - case when op.kind = 'refund' then op.amount else 0 end,
        pending_void = case when op.kind = 'void' then false else p.pending_void end,
        stage = case when op.kind = 'void' and ${ok} then 'voided' else p.stage end,
        updated_at = now()
        from op
       where p.id = op.payment_id
      returning p.id, p.currency, p.status, p.provider_reference, p.cart_id, p.order_id
    ),
    ins as (
      insert into payment_transaction (id, payment_id, kind, status, amount, currency, provider_reference,
                                       idempotency_key, raw)
      select ${newId('paymentTransaction')}, op.payment_id, op.kind, ${input.outcome}, op.amount, p.currency,
             coalesce(${input.providerReference ?? null}::text, p.provider_reference), op.idempotency_key,
             ${jsonb(input.raw)}
        from op join p on p.id = op.payment_id
      returning id
    )
    select op.payment_id as "paymentId", op.kind, op.amount, p.currency, p.status, p.cart_id as "cartId",
           p.order_id as "orderId", op.idempotency_key as "idempotencyKey"
      from op join p on p.id = op.payment_id`.execute(tx);
  return res.rows[0] ?? null;
}

/** A ledger row to append with an initiate/authorize outcome. */
export interface LedgerRow {
  kind: 'authorization' | 'capture';
  status: 'succeeded' | 'failed';
  amount: number;
  idempotencyKey: string;
  /** The gateway's id of this row's object, when not the payment's reference (a capture made at checkout). */
  providerReference?: string | undefined;
}

export interface OutcomeInput {
  paymentId: string;
  stage: 'pending' | 'requires_action' | 'authorized' | 'failed';
  authorized: number;
  captured: number;
  providerReference: string | null;
  declineCode: string | null;
  rows: LedgerRow[];
  raw: Record<string, unknown>;
}

export interface RecordedOutcome {
  status: PaymentStatus;
  currency: string;
  cartId: string;
  orderId: string | null;
}

/**
 * Phase 3 of initiate/authorize: sets the payment's stage and totals and appends the ledger rows,
 * only while the payment still waits for its gateway answer (`pending`/`requires_action`); a
 * second report of the same answer changes nothing and gets null.
 */
export async function recordOutcome(tx: Tx, input: OutcomeInput): Promise<RecordedOutcome | null> {
  const rows = input.rows.length
    ? sql.join(
        input.rows.map(
          (r) =>
            sql`(${newId('paymentTransaction')}, ${r.kind}, ${r.status}, ${r.amount}::bigint, ${r.idempotencyKey},
                 ${r.providerReference ?? null}::text)`,
        ),
      )
    : null;
  const res = await sql<RecordedOutcome>`
    with p as (
      update payment set stage = ${input.stage}, authorized = ${input.authorized}, captured = ${input.captured},
             provider_reference = coalesce(${input.providerReference}::text, provider_reference),
             decline_code = ${input.declineCode}, updated_at = now()
       where id = ${input.paymentId} and stage in ('pending', 'requires_action')
      returning id, status, currency, provider_reference, cart_id, order_id
    )${
      rows
        ? sql`, ins as (
      insert into payment_transaction (id, payment_id, kind, status, amount, currency, provider_reference,
                                       idempotency_key, raw)
      select v.id, p.id, v.kind, v.status, v.amount, p.currency, coalesce(v.ref, p.provider_reference), v.key,
             ${jsonb(input.raw)}
        from p cross join (values ${rows}) as v(id, kind, status, amount, key, ref)
    )`
        : sql``
    }
    select status, currency, cart_id as "cartId", order_id as "orderId" from p`.execute(tx);
  return res.rows[0] ?? null;
}

/**
 * Takes pending operations for another gateway call with their original keys: extends their lease and counts the
 * attempt, in one statement over the rows `due` selects (which must lock them: `for update skip locked`). Used by
 * the reconciler (leases run out) and by a caller repeating its own call after a timeout.
 */
export async function claimOperations(
  tx: Tx,
  due: ReturnType<typeof sql>,
  leaseSeconds: number,
): Promise<ReservedOperation[]> {
  const res = await sql<ReservedOperation>`
    with due as (${due})
    update payment_operation o
       set lease_until = now() + make_interval(secs => ${leaseSeconds}), attempts = o.attempts + 1, updated_at = now()
      from due, payment p
     where o.id = due.id and p.id = o.payment_id
    returning o.id as "operationId", o.payment_id as "paymentId", o.kind, o.amount, p.currency, p.provider,
              p.provider_reference as "providerReference", o.idempotency_key as "idempotencyKey"`.execute(tx);
  return res.rows;
}
