import { withTransaction } from '../../platform/db/transaction.js';
import { appendEvent } from '../../platform/outbox/outbox.js';
import { errorText, type PaymentsDeps, withDeadline } from './payments.deps.js';
import { moneyColumns } from './payments.tables.js';
import type { ProviderPaymentView } from './provider.js';

/**
 * `backroom payments reconcile --since 24h` and its scheduled twin: our ledger against each gateway's own view of
 * the same payments. Payments with a call still in flight are skipped (their difference is expected and resolves
 * itself); everything else that differs is listed — and, from the worker, emitted as `payment.mismatch`.
 */

export type DifferenceField = 'authorized' | 'captured' | 'refunded' | 'unknown_at_backroom' | 'lookup_failed';

export interface PaymentDifference {
  provider: string;
  paymentId: string | null;
  providerReference: string;
  field: DifferenceField;
  ours: number | string | null;
  theirs: number | string | null;
}

export interface GatewayReconcileReport {
  checked: number;
  skippedInFlight: number;
  /** Gateways without a lookup (manual, test) are not compared. */
  providers: string[];
  differences: PaymentDifference[];
}

export async function compareWithGateways(
  deps: PaymentsDeps,
  opts: { since: Date; providers?: string[] | undefined },
): Promise<GatewayReconcileReport> {
  const providers = deps.providers
    .ids()
    .filter((id) => (!opts.providers || opts.providers.includes(id)) && deps.providers.get(id).lookup);
  const report: GatewayReconcileReport = { checked: 0, skippedInFlight: 0, providers, differences: [] };
  if (providers.length === 0) return report;
  const rows = await deps.db
    .selectFrom('payment')
    .select(['id', 'provider', 'provider_reference', 'stage', ...moneyColumns])
    .where('provider', 'in', providers)
    .where('created_at', '>=', opts.since)
    .where('provider_reference', 'is not', null)
    .orderBy('created_at')
    .execute();
  const known = new Set(rows.map((r) => `${r.provider}:${r.provider_reference}`));
  for (const p of rows) {
    if (p.pending_capture > 0 || p.pending_refund > 0 || p.pending_void || p.stage === 'pending') {
      report.skippedInFlight++;
      continue;
    }
    const provider = deps.providers.get(p.provider);
    const ref = p.provider_reference as string;
    const diff = (field: DifferenceField, ours: number | string | null, theirs: number | string | null) =>
      report.differences.push({ provider: p.provider, paymentId: p.id, providerReference: ref, field, ours, theirs });
    let view: ProviderPaymentView;
    try {
      view = await withDeadline(deps, provider.id, () => (provider.lookup as NonNullable<typeof provider.lookup>)(ref));
    } catch (err) {
      diff('lookup_failed', null, errorText(err).slice(0, 200));
      continue;
    }
    report.checked++;
    // What we hold as authorized: the authorization while it stands; nothing once voided, failed or never made.
    const oursAuthorized = p.stage === 'authorized' ? p.authorized : 0;
    const theirsHeld = p.stage === 'authorized' ? view.authorized : Math.max(0, view.authorized - view.captured);
    if (p.stage === 'authorized' ? oursAuthorized !== view.authorized : theirsHeld > 0) {
      diff('authorized', oursAuthorized, view.authorized);
    }
    if (p.captured !== view.captured) diff('captured', p.captured, view.captured);
    if (p.refunded !== view.refunded) diff('refunded', p.refunded, view.refunded);
  }
  for (const id of providers) {
    const provider = deps.providers.get(id);
    if (!provider.recentPayments) continue;
    let recent: ProviderPaymentView[] = [];
    try {
      recent = await withDeadline(deps, id, () =>
        (provider.recentPayments as NonNullable<typeof provider.recentPayments>)(opts.since),
      );
    } catch (err) {
      report.differences.push({
        provider: id,
        paymentId: null,
        providerReference: '*',
        field: 'lookup_failed',
        ours: null,
        theirs: errorText(err).slice(0, 200),
      });
      continue;
    }
    for (const v of recent) {
      // Money at the gateway we have no payment for (an attempt whose reference we never recorded).
      if (known.has(`${id}:${v.providerReference}`) || (v.captured === 0 && v.authorized === 0)) continue;
      const ours = v.paymentId ? await paymentRef(deps, v.paymentId) : undefined;
      if (ours && ours === v.providerReference) continue;
      report.differences.push({
        provider: id,
        paymentId: v.paymentId ?? null,
        providerReference: v.providerReference,
        field: 'unknown_at_backroom',
        ours: null,
        theirs: v.captured || v.authorized,
      });
    }
  }
  return report;
}

async function paymentRef(deps: PaymentsDeps, paymentId: string): Promise<string | null | undefined> {
  const row = await deps.db
    .selectFrom('payment')
    .select('provider_reference')
    .where('id', '=', paymentId)
    .executeTakeFirst();
  return row?.provider_reference;
}

/** One `payment.mismatch` event per difference (the worker's scheduled run). */
export async function emitMismatches(deps: PaymentsDeps, report: GatewayReconcileReport): Promise<number> {
  if (report.differences.length === 0) return 0;
  await withTransaction(deps.db, async (tx) => {
    for (const d of report.differences) {
      await appendEvent(tx, {
        type: 'payment.mismatch',
        aggregateId: d.paymentId ?? `${d.provider}:${d.providerReference}`,
        payload: { ...d, source: 'reconcile' },
      });
    }
  });
  return report.differences.length;
}

/** `24h`, `90m`, `7d`, `3600s` → seconds. */
export function parseDuration(text: string): number | null {
  const m = /^(\d{1,6})\s*([smhd])$/.exec(text.trim());
  if (!m) return null;
  return Number(m[1]) * { s: 1, m: 60, h: 3600, d: 86_400 }[m[2] as 's' | 'm' | 'h' | 'd'];
}
