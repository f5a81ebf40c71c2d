import { setTimeout as sleep } from 'node:timers/promises';
import type { Db } from '../db/database.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import type { WorkerRuns } from '../ops/worker-runs.js';
import { inSpan } from '../tracing.js';
import type { EventHandlers } from './handlers.js';
import { type Claimed, claimBatch, recordDelivered, recordFailure, releaseUnstarted } from './relay.sql.js';

export interface RelayOptions {
  batchSize: number;
  pollIntervalMs: number;
  /** Deliveries (including the first) before an event is marked dead. */
  maxAttempts: number;
  /** How long a claimed event is reserved for this relay (default 60 s). */
  leaseMs?: number;
  /**
   * How long delivering one event to all its handlers may take before it counts as a failure
   * (default and maximum: half of `leaseMs`, so the event in hand always fits in its lease).
   */
  handlerTimeoutMs?: number;
  /** First retry delay; doubles each attempt up to `maxBackoffMs`. */
  baseBackoffMs?: number;
  maxBackoffMs?: number;
}

export interface RelayDeps {
  db: Db;
  handlers: EventHandlers;
  logger: Logger;
  metrics?: Metrics;
  /** Where each round is recorded for the System page (`outbox-relay`). */
  rounds?: Pick<WorkerRuns, 'record'>;
}

/** Thrown at start-up for options that would let two relays hold one event at the same time. */
export class RelayOptionsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RelayOptionsError';
  }
}

function settings(opts: RelayOptions) {
  const leaseMs = opts.leaseMs ?? 60_000;
  const timeoutMs = opts.handlerTimeoutMs ?? Math.floor(leaseMs / 2);
  if (timeoutMs * 2 > leaseMs || timeoutMs <= 0) {
    throw new RelayOptionsError(
      `handlerTimeoutMs (${timeoutMs}) must be positive and at most half of leaseMs (${leaseMs})`,
    );
  }
  return {
    leaseMs,
    timeoutMs,
    baseBackoffMs: opts.baseBackoffMs ?? 1000,
    maxBackoffMs: opts.maxBackoffMs ?? 3_600_000,
  };
}

/**
 * Hands one event to every handler subscribed to it, in registration order. One deadline covers
 * them all, so an event never outlives the time the lease check below budgets for it. A handler
 * that ignores `signal` keeps running after its deadline: the relay cannot stop it, and another
 * relay may deliver the event again once the backoff has passed.
 */
async function dispatch(event: Claimed, deps: RelayDeps, timeoutMs: number): Promise<void> {
  const signal = AbortSignal.timeout(timeoutMs);
  const timedOut = new Promise<never>((_, reject) => {
    const fail = () => reject(new Error(`delivery timed out after ${timeoutMs} ms`));
    if (signal.aborted) fail();
    else signal.addEventListener('abort', fail, { once: true });
  });
  timedOut.catch(() => {}); // only raced below; never an unhandled rejection
  for (const h of deps.handlers.for(event.type)) {
    const logger = deps.logger.child({ eventId: event.id, eventType: event.type, handler: h.name });
    try {
      // One span per handler run: a root (the relay loop has none), its statements under it.
      await inSpan(
        `outbox ${event.type}`,
        {
          'backroom.event.type': event.type,
          'backroom.event.id': event.id,
          'backroom.outbox.handler': h.name,
          // The request that wrote the event (its span has the same attribute): the way back to its trace.
          ...(event.requestId ? { 'backroom.request_id': event.requestId } : {}),
        },
        () => Promise.race([h.handle(event, { logger, signal }), timedOut]),
      );
    } catch (err) {
      throw new Error(`handler ${h.name}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
  }
}

/** Equal jitter: half the exponential delay, plus up to the other half at random. */
function backoffMs(attempts: number, base: number, max: number): number {
  const exp = Math.min(max, base * 2 ** Math.max(0, attempts - 1));
  return Math.round(exp / 2 + Math.random() * (exp / 2));
}

/**
 * One relay round: claim a batch, hand each event to its handlers, record the outcome. Outcomes are
 * written only while this relay still holds the lease (`attempts` unchanged), so a relay that
 * lost its lease cannot overwrite a newer delivery. An event is started only if its whole
 * deadline fits in what is left of the lease (measured from before the claim, so never
 * optimistic); the rest of the batch is handed back, so a slow batch never lets a second relay
 * take an event this one is still going to deliver. Returns how many events were claimed.
 */
export async function relayOnce(
  deps: RelayDeps,
  opts: RelayOptions,
  stopSignal: AbortSignal = new AbortController().signal,
): Promise<number> {
  const s = settings(opts);
  const leaseStart = performance.now();
  const { claimed, buried } = await claimBatch(deps.db, opts.batchSize, s.leaseMs, opts.maxAttempts);
  for (const event of buried) {
    deps.logger.error(
      { eventId: event.id, eventType: event.type, attempts: event.attempts },
      'outbox event is dead: its last attempts never reported an outcome (relay crashed or was killed)',
    );
  }
  if (buried.length > 0) deps.metrics?.outboxDelivered.inc({ outcome: 'dead' }, buried.length);

  const delivered: Claimed[] = [];
  try {
    for (const [index, event] of claimed.entries()) {
      if (stopSignal.aborted || performance.now() - leaseStart + s.timeoutMs >= s.leaseMs) {
        await releaseUnstarted(deps.db, claimed.slice(index));
        break;
      }
      try {
        await dispatch(event, deps, s.timeoutMs);
        delivered.push(event);
      } catch (err) {
        await fail(deps, event, err, opts.maxAttempts, backoffMs(event.attempts, s.baseBackoffMs, s.maxBackoffMs));
      }
    }
  } finally {
    // One statement for the whole batch, even when a later write failed: these were delivered.
    const n = await recordDelivered(deps.db, delivered);
    if (n > 0) deps.metrics?.outboxDelivered.inc({ outcome: 'delivered' }, n);
  }
  return claimed.length + buried.length;
}

async function fail(deps: RelayDeps, event: Claimed, err: unknown, maxAttempts: number, retryInMs: number) {
  const dead = event.attempts >= maxAttempts;
  const message = err instanceof Error ? err.message : String(err);
  const recorded = await recordFailure(deps.db, event, { dead, message, retryInMs });
  if (!recorded) {
    deps.logger.warn({ eventId: event.id }, 'outbox delivery failed after this relay lost its lease; outcome dropped');
    return;
  }
  deps.logger[dead ? 'error' : 'warn'](
    { eventId: event.id, eventType: event.type, attempts: event.attempts, err },
    dead ? 'outbox event is dead after its last attempt' : 'outbox delivery failed; will retry',
  );
  deps.metrics?.outboxDelivered.inc({ outcome: dead ? 'dead' : 'failed' });
}

export interface RunningRelay {
  /** Stops claiming, finishes the event in hand, hands back the rest of the batch; resolves when idle. */
  stop(): Promise<void>;
}

/** Runs relay rounds until stopped: immediately again after a full batch, else after the poll interval. */
export function startRelay(deps: RelayDeps, opts: RelayOptions): RunningRelay {
  settings(opts); // bad options fail here, at start-up, not in every round
  const stopper = new AbortController();
  const loop = (async () => {
    while (!stopper.signal.aborted) {
      let claimed = 0;
      const startedAt = new Date();
      try {
        claimed = await relayOnce(deps, opts, stopper.signal);
        deps.rounds?.record('outbox-relay', { startedAt, finishedAt: new Date() });
      } catch (err) {
        deps.rounds?.record('outbox-relay', { startedAt, finishedAt: new Date(), error: err });
        deps.logger.error({ err }, 'outbox relay round failed; retrying after the poll interval');
      }
      if (claimed < opts.batchSize) {
        await sleep(opts.pollIntervalMs, undefined, { signal: stopper.signal }).catch(() => {});
      }
    }
  })();
  return {
    async stop() {
      stopper.abort();
      await loop;
    },
  };
}
