import type { WorkerRuns } from '../../platform/ops/worker-runs.js';
import { sequenceEvents } from '../../platform/outbox/sequencer.js';
import { unblockOrphans } from './delivery.blocking.js';
import {
  type ClaimedDelivery,
  type ClaimedEndpoint,
  dueEndpoints,
  refreshDeliveryStatistics,
} from './delivery.claim.js';
import { recordAndClaim } from './delivery.cycle.js';
import { type AttemptOutcome, type EndpointAgents, endpointAgents, sendAttempt } from './delivery.http.js';
import type { FinishedAttempt } from './delivery.record.js';
import { traceAttempt } from './delivery.trace.js';
import { fanOutOnce } from './fanout.js';
import { retryDelayMs } from './retry-schedule.js';
import { signDelivery, signingSecrets } from './signing.js';
import type { WebhooksDeps } from './webhooks.deps.js';

/**
 * The delivery loop. Every `pollIntervalMs` (at once when nudged, or again at once after a round that
 * found more work than one batch): sequence committed outbox events, fan them out into deliveries, find
 * the endpoints with due deliveries, and let each endpoint's lane claim and send. Sends are never awaited
 * by the loop: each endpoint has its own lane (its own keep-alive agents and `concurrency` slots), so a
 * slow endpoint occupies only its own slots, and when a send ends its lane records the outcome and claims
 * again at once. Outcomes finished together are written in one transaction.
 */

export interface WebhookWorker {
  /** Stops claiming, waits for the attempts in flight (each bounded by the attempt deadline), records them. */
  stop(): Promise<void>;
  /** Runs a round now (e.g. after a test ping was queued), instead of at the next poll. */
  nudge(): void;
}

export interface WebhookWorkerOptions {
  /** Delay after failed attempt n, or null after the last (default: the schedule, with jitter). Tests shorten it. */
  retryDelayMs?: (attempt: number) => number | null;
  /** Lease time beyond the attempt deadline, covering the write of the outcome (default 5 s). */
  leaseMarginMs?: number;
  /**
   * What runs before each round's claims: sequence outbox events and fan them out into deliveries; true
   * when a full batch was done (more is waiting). Default: the sequencer and the fan-out.
   */
  feed?: (deps: WebhooksDeps) => Promise<boolean>;
  /** Deliveries per slot per claim (default 20; 1 = no chains). */
  chainLength?: number;
  /** Where each round is recorded for the System page (`webhook-delivery`). */
  rounds?: Pick<WorkerRuns, 'record'>;
}

const DEFAULT_LEASE_MARGIN_MS = 5000;
/**
 * Deliveries a slot sends one after another (a head and the next ones of its resource). A busy resource then
 * costs one record-and-claim turn per chain, not per event; the receiver still sees one request at a time
 * per slot, and the lease of the last one covers the attempts before it.
 */
const DEFAULT_CHAIN_LENGTH = 20;
/** How often a worker unblocks followers whose resource has no unblocked pending delivery (a missed unblock). */
const REPAIR_EVERY_MS = 60_000;
/** An endpoint's lane (and its idle keep-alive sockets) is dropped after this long without work. */
const LANE_IDLE_MS = 60_000;
/** How often a worker looks whether the delivery table's planner statistics need refreshing. */
const STATISTICS_CHECK_MS = 10_000;

export function startWebhookWorker(deps: WebhooksDeps, options: WebhookWorkerOptions = {}): WebhookWorker {
  const log = deps.logger;
  const { concurrency, timeoutMs, pollIntervalMs } = deps.settings;
  const delayAfter = options.retryDelayMs ?? ((n: number) => retryDelayMs(n));
  const leaseMs = timeoutMs + (options.leaseMarginMs ?? DEFAULT_LEASE_MARGIN_MS);
  const feed = options.feed ?? defaultFeed;
  const chainLength = options.chainLength ?? DEFAULT_CHAIN_LENGTH;
  const lanes = new Map<string, Lane>();
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let round: Promise<void> | undefined;
  let again = false;
  let statisticsCheckedAt = 0;
  let repairedAt = Date.now();

  class Lane {
    inFlight = 0;
    lastActive = Date.now();
    readonly finished: FinishedAttempt[] = [];
    /** Claimed but not sent (the rest of a chain after a failure): handed back with the next record. */
    readonly released: ClaimedDelivery[] = [];
    readonly sends = new Set<Promise<void>>();
    readonly agents: EndpointAgents = endpointAgents(concurrency);
    private pumping: Promise<void> | undefined;
    private rerun = false;
    private wantsClaim = false;

    constructor(readonly endpointId: string) {}

    /** Records finished attempts and, with `claim`, fills the free slots. One pump at a time per lane. */
    pump(claim: boolean): void {
      if (claim) this.wantsClaim = true;
      if (this.pumping) {
        this.rerun = true;
        return;
      }
      this.pumping = this.loop().finally(() => {
        this.pumping = undefined;
      });
    }

    idle(): Promise<void> {
      return this.pumping ?? Promise.resolve();
    }

    private async loop(): Promise<void> {
      do {
        this.rerun = false;
        this.lastActive = Date.now();
        const batch = this.finished.splice(0);
        const released = this.released.splice(0);
        const free = concurrency - this.inFlight;
        const want = this.wantsClaim && !stopped && free > 0 ? free : 0;
        if (want > 0) this.wantsClaim = false;
        if (batch.length > 0 || released.length > 0 || want > 0) await this.turn(batch, released, want);
      } while (this.rerun);
    }

    /** Records what ended and claims up to `want` more, in one transaction; then starts the sends. */
    private async turn(batch: FinishedAttempt[], released: ClaimedDelivery[], want: number): Promise<void> {
      let result: Awaited<ReturnType<typeof recordAndClaim>>;
      try {
        result = await recordAndClaim(deps, this.endpointId, batch, {
          want,
          leaseMs,
          chainLength,
          chainStepMs: timeoutMs,
          released,
        });
      } catch (err) {
        // Unrecorded outcomes: their leases run out and the deliveries are sent again (at least once).
        log.warn(
          { err, endpointId: this.endpointId, outcomes: batch.length },
          'webhooks: record/claim failed; will retry',
        );
        return;
      }
      if (result.recorded < batch.length)
        log.info(
          { endpointId: this.endpointId, dropped: batch.length - result.recorded },
          'webhooks: outcomes of attempts whose lease was lost were dropped',
        );
      if (!result.claimed) return;
      let secrets: string[] | null = null;
      try {
        secrets = signingSecrets(deps.secretBox, result.claimed.endpoint, new Date());
      } catch (err) {
        log.error({ err, endpointId: this.endpointId }, 'webhooks: the endpoint secret cannot be opened');
      }
      for (const chain of result.claimed.chains) this.start(result.claimed.endpoint, secrets, chain);
    }

    /**
     * One slot: sends a claimed chain (a head and the next deliveries of its resource) one after another,
     * each only after the one before got a 2xx; each outcome is recorded as it ends (the lane is nudged).
     * After a failure (or when stopping) the rest is handed back unsent: it goes later, in order.
     */
    private start(endpoint: ClaimedEndpoint, secrets: string[] | null, chain: ClaimedDelivery[]): void {
      this.inFlight++;
      let current: ClaimedDelivery | undefined;
      const send = (async () => {
        for (let i = 0; i < chain.length; i++) {
          const d = chain[i] as ClaimedDelivery;
          if (d.broken || (i > 0 && stopped)) {
            this.released.push(...chain.slice(i));
            return;
          }
          current = d;
          let outcome: AttemptOutcome;
          if (!secrets) {
            outcome = failedWithoutSending('the endpoint secret cannot be opened (was SECRET_KEY changed?)');
          } else {
            const at = new Date();
            const signed = secrets;
            outcome = await traceAttempt(this.endpointId, d, () =>
              sendAttempt({
                url: endpoint.url,
                headers: { ...signDelivery(signed, d.eventId, at, d.body) },
                body: d.body,
                timeoutMs,
                policy: deps.urlPolicy,
                agents: this.agents,
              }),
            );
          }
          this.finished.push({ delivery: d, outcome, retryInMs: outcome.delivered ? null : delayAfter(d.attempt) });
          if (!outcome.delivered) {
            this.released.push(...chain.slice(i + 1));
            return;
          }
          if (i + 1 < chain.length) this.pump(false);
        }
      })()
        .catch((err) =>
          log.error({ err, deliveryId: current?.id }, 'webhooks: attempt crashed; its lease will run out'),
        )
        .finally(() => {
          this.inFlight--;
          this.sends.delete(send);
          this.pump(true);
        });
      this.sends.add(send);
    }
  }

  const laneOf = (endpointId: string): Lane => {
    let lane = lanes.get(endpointId);
    if (!lane) {
      lane = new Lane(endpointId);
      lanes.set(endpointId, lane);
    }
    return lane;
  };

  const dropIdleLanes = () => {
    const now = Date.now();
    for (const [id, lane] of lanes) {
      if (lane.inFlight === 0 && lane.finished.length === 0 && now - lane.lastActive > LANE_IDLE_MS) {
        lane.agents.destroy();
        lanes.delete(id);
      }
    }
  };

  const schedule = (ms: number) => {
    if (stopped) return;
    clearTimeout(timer);
    timer = setTimeout(run, ms);
    timer.unref();
  };

  function run(): void {
    if (stopped) return;
    if (round) {
      again = true;
      return;
    }
    round = (async () => {
      let more = false;
      const startedAt = new Date();
      try {
        more = await feed(deps);
        if (stopped) return;
        if (Date.now() - statisticsCheckedAt > STATISTICS_CHECK_MS) {
          statisticsCheckedAt = Date.now();
          await refreshDeliveryStatistics(deps.db);
        }
        if (Date.now() - repairedAt > REPAIR_EVERY_MS) {
          repairedAt = Date.now();
          const n = await unblockOrphans(deps.db);
          if (n > 0) log.warn({ unblocked: n }, 'webhooks: unblocked deliveries whose resource had no head');
        }
        for (const id of await dueEndpoints(deps.db)) laneOf(id).pump(true);
        dropIdleLanes();
        options.rounds?.record('webhook-delivery', { startedAt, finishedAt: new Date() });
      } catch (err) {
        options.rounds?.record('webhook-delivery', { startedAt, finishedAt: new Date(), error: err });
        log.warn({ err }, 'webhooks: delivery round failed; will retry');
      }
      if (again || more) {
        again = false;
        schedule(0);
      } else schedule(pollIntervalMs);
    })().finally(() => {
      round = undefined;
    });
  }

  run();
  log.info({ concurrency, timeoutMs }, 'webhooks: delivery worker started');

  return {
    nudge: run,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await round;
      for (;;) {
        const sends = [...lanes.values()].flatMap((l) => [...l.sends]);
        if (sends.length === 0) break;
        await Promise.allSettled(sends);
      }
      for (const lane of lanes.values()) {
        await lane.idle();
        lane.pump(false);
        await lane.idle();
        lane.agents.destroy();
      }
      lanes.clear();
      log.info('webhooks: delivery worker stopped');
    },
  };
}

const FANOUT_BATCH = 500;

/** Commit-order positions for new outbox events, then deliveries for them; true when a full batch was fanned out. */
async function defaultFeed(deps: WebhooksDeps): Promise<boolean> {
  await sequenceEvents(deps.db);
  return (await fanOutOnce(deps, { batchSize: FANOUT_BATCH })) >= FANOUT_BATCH;
}

function failedWithoutSending(error: string): AttemptOutcome {
  return {
    startedAt: new Date(),
    durationMs: 0,
    statusCode: null,
    responseExcerpt: null,
    error,
    delivered: false,
    gone: false,
  };
}
