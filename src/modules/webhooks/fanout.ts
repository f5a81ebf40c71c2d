import type { Tx } from '../../platform/db/database.js';
import { withTransaction } from '../../platform/db/transaction.js';
import { NotFoundError } from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';
import { countEventsAfter, readEventsAfter, readEventsSince, type SequencedEvent } from '../../platform/outbox/feed.js';
import type { WebhookEventCatalogue } from './catalogue.js';
import { lockPairHeads, settlePairs } from './delivery.blocking.js';
import {
  advanceFanoutCursor,
  type EndpointFilter,
  enabledEndpointFilters,
  endpointFilter,
  fanoutCursor,
  insertDeliveries,
  insertWebhookEvents,
  lockFanoutCursor,
  type NewDelivery,
  type NewWebhookEvent,
  queueDeliveries,
  type StoredWebhookEvent,
  storedWebhookEvents,
} from './fanout.sql.js';
import type { WebhooksDeps } from './webhooks.deps.js';

/** Subscribes to every type in the catalogue (never to internal types). */
export const ALL_EVENT_TYPES = '*';

/** Whether an endpoint with this filter gets events of `type`: catalogue types only, `*` or named. */
export function endpointWants(catalogue: WebhookEventCatalogue, eventTypes: readonly string[], type: string): boolean {
  if (!catalogue.types.has(type)) return false;
  return eventTypes.includes(ALL_EVENT_TYPES) || eventTypes.includes(type);
}

/**
 * The delivered body, exactly these keys in this order (Standard Webhooks: type, timestamp, data;
 * plus `sequence`, the commit-order position, so a consumer can drop an update older than one it has).
 */
export function webhookBody(type: string, occurredAt: Date, position: string, data: unknown): string {
  return JSON.stringify({ type, timestamp: occurredAt.toISOString(), sequence: Number(position), data });
}

/**
 * Renders the events (one catalogue call for them all) into webhook_event rows. An event the
 * catalogue returns nothing for (its resource is gone) is left out, with one warning per call.
 */
async function renderEvents(deps: WebhooksDeps, tx: Tx, events: readonly SequencedEvent[]): Promise<NewWebhookEvent[]> {
  if (events.length === 0) return [];
  const rendered = await deps.catalogue.render(tx, events);
  const rows: NewWebhookEvent[] = [];
  const skipped: string[] = [];
  for (const e of events) {
    const r = rendered.get(e.id);
    if (!r) {
      skipped.push(e.id);
      continue;
    }
    rows.push({
      id: e.id,
      type: e.type,
      resourceId: r.resourceId,
      sequence: e.position,
      body: webhookBody(e.type, e.createdAt, e.position, r.data),
      occurredAt: e.createdAt,
    });
  }
  if (skipped.length > 0) {
    deps.logger.warn(
      { eventIds: skipped.slice(0, 20), count: skipped.length },
      'webhooks: events the catalogue could not render (their resource is gone?) are not sent',
    );
  }
  return rows;
}

function deliveriesFor(
  endpoints: readonly EndpointFilter[],
  events: readonly StoredWebhookEvent[],
  deps: WebhooksDeps,
) {
  const rows: NewDelivery[] = [];
  for (const e of events) {
    for (const ep of endpoints) {
      if (!endpointWants(deps.catalogue, ep.eventTypes, e.type)) continue;
      rows.push({
        id: newId('webhookDelivery'),
        endpointId: ep.id,
        eventId: e.id,
        eventType: e.type,
        resourceId: e.resourceId,
        sequence: e.sequence,
      });
    }
  }
  return rows;
}

/**
 * One fan-out round: turns the next sequenced events (after `webhook_fanout.last_position`, up to
 * `batchSize`, default 500) into a stored body per event and a delivery per (enabled endpoint whose
 * filter matches, event), in one transaction that also moves the cursor past every event read —
 * wanted or not. Serialised by the cursor row (FOR UPDATE SKIP LOCKED): while another fan-out holds
 * it this returns 0 at once. Set-based: lock, read, endpoints, render (the catalogue's few
 * statements), events, deliveries, cursor — whatever the batch size. Run `sequenceEvents` before it
 * (the worker's loop does). Idempotent: a re-run after a crash inserts nothing twice. Endpoints that
 * are disabled when an event is fanned out never get it (a replay reaches back). Returns how many
 * events were read (a full batch: call again).
 */
export async function fanOutOnce(deps: WebhooksDeps, opts: { batchSize?: number } = {}): Promise<number> {
  const batchSize = opts.batchSize ?? 500;
  return withTransaction(deps.db, async (tx) => {
    const after = await lockFanoutCursor(tx);
    if (after === null) return 0;
    const events = await readEventsAfter(tx, { afterPosition: after, limit: batchSize });
    const last = events.at(-1);
    if (!last) return 0;
    const endpoints = await enabledEndpointFilters(tx);
    const wanted = events.filter((e) => endpoints.some((ep) => endpointWants(deps.catalogue, ep.eventTypes, e.type)));
    const rows = await renderEvents(deps, tx, wanted);
    await insertWebhookEvents(tx, rows);
    const deliveries = deliveriesFor(endpoints, rows, deps);
    // Last, so the heads stay locked only for the insert and the commit (records of them wait meanwhile).
    await lockPairHeads(tx, deliveries);
    await insertDeliveries(tx, deliveries);
    await advanceFanoutCursor(tx, last.position);
    return events.length;
  });
}

const REPLAY_BATCH = 500;

/**
 * Queues again every event since `since` that the endpoint's filter matches (what retention still
 * keeps): existing bodies are reused (same `webhook-id`), missing ones rendered and stored; each
 * delivery is created or put back to pending, due now, its attempt count kept — except one in flight
 * (leased), which is being sent anyway. Batches of 500 events, each its own transaction. Deliveries go
 * out in commit order per resource like any other. A disabled endpoint's deliveries wait until it is
 * enabled. @throws NotFoundError for an unknown endpoint.
 */
export async function replayEndpoint(deps: WebhooksDeps, endpointId: string, since: Date): Promise<{ queued: number }> {
  const endpoint = await endpointFilter(deps.db, endpointId);
  if (!endpoint) throw new NotFoundError('Webhook endpoint', endpointId);
  const types = [...deps.catalogue.types.keys()].filter((t) => endpointWants(deps.catalogue, endpoint.eventTypes, t));
  let queued = 0;
  let afterPosition = '0';
  for (;;) {
    const { read, n } = await withTransaction(deps.db, async (tx) => {
      const events = await readEventsSince(tx, { since, afterPosition, limit: REPLAY_BATCH, types });
      const stored = await storedWebhookEvents(
        tx,
        events.map((e) => e.id),
      );
      const have = new Set(stored.map((s) => s.id));
      const rows = await renderEvents(
        deps,
        tx,
        events.filter((e) => !have.has(e.id)),
      );
      await insertWebhookEvents(tx, rows);
      const deliveries = deliveriesFor([endpoint], [...stored, ...rows], deps);
      // Re-queued deliveries wait behind their resource's head like fresh ones (delivery.blocking.ts).
      await lockPairHeads(tx, deliveries);
      const n = await queueDeliveries(tx, deliveries);
      await settlePairs(tx, deliveries);
      return { read: events, n };
    });
    queued += n;
    const last = read.at(-1);
    if (!last || read.length < REPLAY_BATCH) return { queued };
    afterPosition = last.position;
  }
}

/** Sequenced events the fan-out has not reached yet (for metrics). */
export async function pendingFanOut(deps: Pick<WebhooksDeps, 'db'>): Promise<number> {
  return countEventsAfter(deps.db, await fanoutCursor(deps.db));
}
