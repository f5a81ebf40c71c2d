import { sql } from 'kysely';
import {
  createPaymentProviders,
  initiatePayment,
  type PaymentsDeps,
  type TestPaymentProvider,
  testProvider,
} from '../../src/modules/payments/index.js';
import type { AuditContext } from '../../src/platform/audit/audit.js';
import type { Db } from '../../src/platform/db/database.js';

export interface PaymentsHarness {
  deps: PaymentsDeps;
  gateway: TestPaymentProvider;
}

/** Deps with the manual provider and a scripted test gateway; a short deadline keeps timeouts fast. */
export function harness(db: Db, opts: { providerTimeoutMs?: number; leaseSeconds?: number } = {}): PaymentsHarness {
  const gateway = testProvider({ timeoutMs: (opts.providerTimeoutMs ?? 100) * 3 });
  return {
    gateway,
    deps: {
      db,
      providers: createPaymentProviders({ extra: [gateway] }),
      providerTimeoutMs: opts.providerTimeoutMs ?? 100,
      operationLeaseSeconds: opts.leaseSeconds ?? 60,
    },
  };
}

let carts = 0;

/** An authorized payment of `amount` EUR through `provider`. */
export async function authorized(h: PaymentsHarness, amount: number, provider = 'test') {
  const res = await initiatePayment(h.deps, {
    cartId: `cart_t${++carts}`,
    provider,
    amount: { amount, currency: 'EUR' },
  });
  return res.payment;
}

export const staff: AuditContext = { actorType: 'staff', actorId: 'stf_test', ip: '127.0.0.1', requestId: 'req_1' };

export async function ledgerRows(db: Db, paymentId: string) {
  return db
    .selectFrom('payment_transaction')
    .select(['kind', 'status', 'amount', 'idempotency_key'])
    .where('payment_id', '=', paymentId)
    .orderBy('id')
    .execute();
}

export async function eventTypes(db: Db, paymentId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('outbox_event')
    .select('type')
    .where('aggregate_id', '=', paymentId)
    .orderBy('id')
    .execute();
  return rows.map((r) => r.type);
}

/** Makes every pending operation's lease due now (as if its caller had crashed long ago). */
export async function expireLeases(db: Db): Promise<void> {
  await sql`update payment_operation set lease_until = now() - interval '1 second' where status = 'pending'`.execute(
    db,
  );
}
