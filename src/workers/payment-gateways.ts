import type { CheckoutDeps } from '../modules/checkout/index.js';
import { completePaidCarts, paymentEventHook } from '../modules/checkout/index.js';
import {
  compareWithGateways,
  emitMismatches,
  type GatewayEnv,
  type InboxReport,
  type PaymentProviders,
  processWebhookInbox,
  refreshGateways,
  releaseOrphanPayment,
} from '../modules/payments/index.js';
import type { SecretBox } from '../platform/crypto/secret-box.js';
import type { Db } from '../platform/db/database.js';
import type { Logger } from '../platform/logger.js';
import type { WorkerRuns } from '../platform/ops/worker-runs.js';

/** How often a process re-reads gateway settings changed through the admin API on another node. */
const GATEWAY_REFRESH_INTERVAL_MS = 60_000;

/**
 * Keeps a process's gateway registry current (the app's and the worker's alike): loaded now — `ready` — and re-read
 * every minute, so a change made through the admin API on any node arrives everywhere. A failed load is logged and
 * retried on the next tick; the process keeps the gateways it had.
 */
export function gatewayRefresher(
  deps: { db: Db; providers: PaymentProviders; secretBox?: SecretBox | undefined; env: GatewayEnv },
  logger: Pick<Logger, 'warn'>,
): { ready: Promise<void>; stop(): void } {
  const refresh = () =>
    refreshGateways(deps).then(
      () => undefined,
      (err: unknown) => logger.warn({ err }, 'payment gateways: settings could not be loaded; will retry'),
    );
  const ready = refresh();
  const timer = setInterval(refresh, GATEWAY_REFRESH_INTERVAL_MS);
  timer.unref();
  return { ready, stop: () => clearInterval(timer) };
}

/**
 * Applies stored gateway webhooks: on a timer in the worker, and at once in the process that received one (a
 * "nudge"), so an order waiting for its payment is placed within a moment of the webhook. Single-flight per process;
 * across processes the inbox's SKIP LOCKED claims keep every event to one applier.
 */
export interface WebhookInboxRunner {
  nudge(): void;
  /** Runs now (or waits for the round in progress) and resolves with what it did. */
  run(): Promise<InboxReport | undefined>;
  /** Resolves when no round is running (shutdown, tests). */
  idle(): Promise<void>;
  /** Cancels the follow-up round a failed or waiting event scheduled (shutdown). */
  stop(): void;
}

/** A follow-up round further out than this is left to the worker's timer. */
const FOLLOW_UP_HORIZON_MS = 60_000;

export function webhookInboxRunner(
  checkout: CheckoutDeps,
  logger: Logger,
  /** The worker records its rounds for the System page (`webhook-inbox`); the API process's nudged rounds are not. */
  rounds?: Pick<WorkerRuns, 'record'>,
): WebhookInboxRunner {
  let running: Promise<InboxReport | undefined> | undefined;
  let again = false;
  let followUpTimer: NodeJS.Timeout | undefined;
  let followUpAt = Number.POSITIVE_INFINITY;
  let stopped = false;
  // An event that failed (a lock timeout under load) or waits for another event is due again after its backoff:
  // this process runs a round then, instead of leaving it to the worker's timer (seconds to minutes later).
  const scheduleFollowUp = (at: Date | null) => {
    if (stopped || !at || at.getTime() >= followUpAt) return;
    const delay = Math.max(0, at.getTime() - Date.now()) + 50;
    if (delay > FOLLOW_UP_HORIZON_MS) return;
    clearTimeout(followUpTimer);
    followUpAt = at.getTime();
    followUpTimer = setTimeout(() => {
      followUpAt = Number.POSITIVE_INFINITY;
      void run();
    }, delay);
    followUpTimer.unref();
  };
  const onApplied = paymentEventHook(checkout);
  const round = async (): Promise<InboxReport | undefined> => {
    const startedAt = new Date();
    try {
      let report: InboxReport | undefined;
      do {
        again = false;
        report = await processWebhookInbox(checkout.payments, { onApplied });
        if (report.failed > 0) logger.warn({ failed: report.failed }, 'webhook inbox: events failed; will retry');
        scheduleFollowUp(report.retryAt);
        await followUp(checkout, report, logger);
      } while (again);
      rounds?.record('webhook-inbox', { startedAt, finishedAt: new Date() });
      return report;
    } catch (err) {
      rounds?.record('webhook-inbox', { startedAt, finishedAt: new Date(), error: err });
      logger.warn({ err }, 'webhook inbox round failed; will retry');
      return undefined;
    } finally {
      running = undefined;
    }
  };
  const run = () => {
    if (running) {
      again = true;
      return running;
    }
    running = round();
    return running;
  };
  return {
    nudge: () => void run(),
    run,
    idle: async () => {
      while (running) await running;
    },
    stop: () => {
      stopped = true;
      clearTimeout(followUpTimer);
    },
  };
}

/**
 * The scheduled reconciliation: the last day of gateway payments compared with the gateways, each difference
 * emitted as `payment.mismatch` (subscribe to it; the CLI prints the same list).
 */
export async function reconcileGatewaysRound(
  checkout: CheckoutDeps,
  logger: Logger,
  rounds?: Pick<WorkerRuns, 'round'>,
): Promise<void> {
  try {
    const run = () => reconcileGateways(checkout, logger);
    await (rounds ? rounds.round('gateway-reconcile', run) : run());
  } catch (err) {
    logger.warn({ err }, 'payment reconciliation failed; will retry next round');
  }
}

async function reconcileGateways(checkout: CheckoutDeps, logger: Logger): Promise<void> {
  const since = new Date(Date.now() - 24 * 3600 * 1000);
  const report = await compareWithGateways(checkout.payments, { since });
  if (report.providers.length === 0) return;
  const emitted = await emitMismatches(checkout.payments, report);
  const level = emitted > 0 ? 'warn' : 'info';
  logger[level]({ checked: report.checked, mismatches: emitted }, 'payment reconciliation finished');
}

/**
 * After the events' own transactions: a buyer who paid (or approved, PayPal) but never completed gets the order now;
 * money the gateway holds for an attempt we gave up goes back. Both are gateway calls, so they run here, outside any transaction.
 */
async function followUp(checkout: CheckoutDeps, report: InboxReport, logger: Logger): Promise<void> {
  const paid = (type: string) => type === 'authorized' || type === 'captured';
  // An approval (PayPal) moves no money until the cart is completed: completing it authorizes the approved attempt.
  const done = (type: string) => paid(type) || type === 'approved';
  const cartIds = report.applied
    .filter((a) => a.result === 'applied' && done(a.type) && !a.orderId && a.cartId)
    .map((a) => a.cartId as string);
  if (cartIds.length > 0) {
    const carts = await completePaidCarts(checkout, { cartIds: [...new Set(cartIds)] });
    if (carts.completed + carts.released > 0) logger.info(carts, 'webhook inbox: completed carts paid at the gateway');
  }
  for (const a of report.applied) {
    if (a.result !== 'mismatch' || !paid(a.type) || !a.paymentId) continue;
    const released = await releaseOrphanPayment(checkout.payments, a.paymentId);
    logger.warn({ paymentId: a.paymentId, released }, 'gateway took money for an abandoned attempt; given back');
  }
}
