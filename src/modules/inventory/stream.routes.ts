import { sql } from 'kysely';
import { Type } from 'typebox';
import type { Queryable } from '../../platform/db/database.js';
import { eventStreams } from '../../platform/http/event-stream.js';
import type { App } from '../../platform/http/types.js';
import type { InventoryDeps } from './deps.js';
import { NotAcceptableError } from './inventory.errors.js';
import { Id, tags } from './inventory.schemas.js';
import { type MovementRow, movementView } from './movements.service.js';

/**
 * `GET /v1/admin/inventory/stream`: Server-Sent Events, one `movement` event per ledger row as it
 * commits, with the movement id as the event id. Resumable: `Last-Event-ID` (or `?lastEventId=`)
 * replays every movement after that one, then streams new ones.
 *
 * The stream polls the ledger with a cursor (works on every node, no LISTEN connection needed).
 * The cursor is (writing transaction id, movement id), and only rows of transactions older than
 * every still-running one are read (`pg_snapshot_xmin`): a transaction that commits late can never
 * be skipped by a cursor that has moved past it.
 */

interface Cursor {
  tx: string;
  id: string;
}

async function startCursor(db: Queryable, lastEventId: string | undefined): Promise<Cursor> {
  if (lastEventId) {
    const row = await sql<{
      tx: string;
    }>`select tx_id::text as tx from stock_movement where id = ${lastEventId}`.execute(db);
    if (row.rows[0]) return { tx: row.rows[0].tx, id: lastEventId };
  }
  const now = await sql<{ tx: string }>`select pg_snapshot_xmin(pg_current_snapshot())::text as tx`.execute(db);
  return { tx: now.rows[0]?.tx ?? '0', id: '' };
}

async function nextMovements(db: Queryable, cursor: Cursor, itemId: string | undefined, limit: number) {
  const res = await sql<MovementRow & { tx: string; sku: string }>`
    select m.id, m.item_id, m.location_id, m.delta_on_hand, m.delta_reserved, m.delta_held,
           m.on_hand_after, m.reserved_after, m.held_after, m.reason,
           m.reference_type, m.reference_id, m.note, m.actor_type, m.actor_id, m.created_at,
           m.tx_id::text as tx, i.sku
      from stock_movement m join inventory_item i on i.id = m.item_id
     where (m.tx_id, m.id) > (${cursor.tx}::xid8, ${cursor.id}::text)
       and m.tx_id < pg_snapshot_xmin(pg_current_snapshot())
       and (${itemId ?? null}::text is null or m.item_id = ${itemId ?? ''})
     order by m.tx_id, m.id
     limit ${limit}`.execute(db);
  return res.rows;
}

const BATCH = 500;

export async function streamRoutes(app: App, deps: InventoryDeps) {
  const pollMs = deps.streamPollMs ?? 250;
  const heartbeatMs = deps.streamHeartbeatMs ?? 15_000;
  const streams = eventStreams(app, { heartbeatMs });

  app.get(
    '/v1/admin/inventory/stream',
    {
      config: { auth: { permission: 'inventory:read' } },
      schema: {
        tags,
        summary: 'Live stock movements (Server-Sent Events), resumable with Last-Event-ID',
        description:
          'Send `Accept: text/event-stream` (406 otherwise). Each ledger row arrives as `event: movement` with ' +
          '`id` = the movement id and `data` = the movement as JSON (plus `sku`); a comment line every 15 s ' +
          'keeps proxies from closing the connection. Reconnect with `Last-Event-ID` to replay what was missed.',
        querystring: Type.Object(
          { itemId: Type.Optional(Id), lastEventId: Type.Optional(Id) },
          { additionalProperties: false },
        ),
        response: { 200: Type.String({ description: 'text/event-stream' }) },
      },
    },
    async (request, reply) => {
      if (!String(request.headers.accept ?? '').includes('text/event-stream')) throw new NotAcceptableError();
      const header = request.headers['last-event-id'];
      let cursor = await startCursor(
        deps.db,
        (typeof header === 'string' ? header : undefined) ?? request.query.lastEventId,
      );
      const stream = streams.open(request, reply);
      let poll: NodeJS.Timeout | undefined;
      stream.onEnd(() => clearTimeout(poll));

      const tick = async () => {
        if (stream.closed) return;
        let more = false;
        try {
          const rows = await nextMovements(deps.db, cursor, request.query.itemId, BATCH);
          for (const r of rows) {
            if (stream.closed) return;
            stream.send('movement', { ...movementView(r), sku: r.sku }, r.id);
            cursor = { tx: r.tx, id: r.id };
          }
          more = rows.length === BATCH;
        } catch (err) {
          if (stream.closed) return;
          request.log.warn({ err }, 'inventory stream: poll failed; retrying');
        }
        if (!stream.closed) poll = setTimeout(tick, more ? 0 : pollMs);
      };
      await tick();
    },
  );
}
