import { sql } from 'kysely';
import { withTransaction } from '../../platform/db/transaction.js';
import { APPROVAL_USABLE_SECONDS } from './paid-attempts.js';
import type { PaymentsDeps } from './payments.deps.js';
import { withDeadline } from './payments.deps.js';

/**
 * Asks the gateway about prepared attempts whose buyer may have approved without the approval webhook ever reaching
 * us (PayPal: approval moves no money, so nothing else would tell us), and records an approval it reports — the
 * worker's sweep then completes the cart. Only gateways that report approvals (`reportsApproval`) are asked, about
 * attempts older than `olderThanSeconds` and still usable; each attempt is asked again only after half its age
 * (its age doubles between questions: under ten over its three hours), so carts abandoned at the gateway cost little.
 * Claims with SKIP LOCKED (any number of workers); the gateway call runs outside any transaction.
 */
export async function checkApprovalsAtGateway(
  deps: PaymentsDeps,
  opts: { olderThanSeconds?: number | undefined; limit?: number | undefined } = {},
): Promise<{ checked: number; approved: number; failed: number }> {
  const report = { checked: 0, approved: 0, failed: 0 };
  const providers = deps.providers.ids().filter((id) => {
    const p = deps.providers.get(id);
    return p.reportsApproval === true && p.lookup !== undefined;
  });
  if (providers.length === 0) return report;
  const grace = opts.olderThanSeconds ?? 60;
  const claimed = await withTransaction(deps.db, async (tx) => {
    const res = await sql<{ id: string; provider: string; provider_reference: string }>`
      with due as (
        select id from payment
         where provider in (${sql.join(providers)}) and stage = 'requires_action' and order_id is null
           and approved_at is null and provider_reference is not null
           and created_at > now() - make_interval(secs => ${APPROVAL_USABLE_SECONDS})
           and updated_at <= now() - make_interval(secs => ${grace})
           and (approval_checked_at is null
                or approval_checked_at <= now() - greatest(make_interval(secs => ${grace}), (now() - created_at) / 2))
         order by created_at, id
         limit ${opts.limit ?? 20}
           for update skip locked
      )
      update payment p set approval_checked_at = now() from due where p.id = due.id
      returning p.id, p.provider, p.provider_reference`.execute(tx);
    return res.rows;
  });
  for (const row of claimed) {
    report.checked++;
    try {
      const provider = deps.providers.get(row.provider);
      const view = await withDeadline(deps, row.provider, async () => provider.lookup?.(row.provider_reference));
      if (!view?.approved) continue;
      // The approval is older than the grace already: updated_at stays, so the sweep takes it in the same round.
      const noted = await withTransaction(deps.db, (tx) =>
        tx
          .updateTable('payment')
          .set({ approved_at: new Date() })
          .where('id', '=', row.id)
          .where('approved_at', 'is', null)
          .where('stage', 'in', ['pending', 'requires_action'])
          .returning('id')
          .executeTakeFirst(),
      );
      if (noted) report.approved++;
    } catch {
      // Gateway down or the setting removed: asked again on a later round.
      report.failed++;
    }
  }
  return report;
}
