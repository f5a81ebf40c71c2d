import { withTransaction } from '../../platform/db/transaction.js';
import { type ClaimedDelivery, type ClaimedEndpoint, claimLocked, lockEndpointForClaim } from './delivery.claim.js';
import { type FinishedAttempt, type RecordResult, recordAttemptsIn } from './delivery.record.js';
import type { WebhooksDeps } from './webhooks.deps.js';

export interface CycleResult extends RecordResult {
  /** Null when nothing was claimed for want of slots, or another worker was claiming, or the endpoint is off. */
  claimed: { endpoint: ClaimedEndpoint; chains: ClaimedDelivery[][] } | null;
}

/**
 * One turn of an endpoint's lane, in one transaction: write the outcomes of the attempts that just ended
 * (which frees their slots and lets the next event of their resources go), then claim up to `want` more.
 * One commit per turn instead of two keeps a busy endpoint's slots turning over quickly: a slot is in use
 * from its claim until its outcome is written, so the time between them bounds an endpoint's throughput.
 */
export async function recordAndClaim(
  deps: WebhooksDeps,
  endpointId: string,
  finished: readonly FinishedAttempt[],
  claim: { want: number; leaseMs: number; chainLength?: number; chainStepMs?: number; released?: ClaimedDelivery[] },
): Promise<CycleResult> {
  return withTransaction(deps.db, async (tx) => {
    // Lock first (the claim's order: endpoint, then deliveries); skipped → only record.
    const endpoint = claim.want > 0 ? await lockEndpointForClaim(tx, endpointId) : undefined;
    const recorded = await recordAttemptsIn(deps, tx, endpointId, finished, claim.released);
    if (!endpoint?.enabled || recorded.health.disabled) return { ...recorded, claimed: null };
    const chains = await claimLocked(tx, {
      endpointId,
      want: claim.want,
      concurrency: deps.settings.concurrency,
      leaseMs: claim.leaseMs,
      chainLength: claim.chainLength,
      chainStepMs: claim.chainStepMs,
    });
    return { ...recorded, claimed: { endpoint, chains } };
  });
}
