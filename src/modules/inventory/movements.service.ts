import { type Selectable, sql } from 'kysely';
import type { Queryable } from '../../platform/db/database.js';
import type { StockMovementTable } from './inventory.tables.js';
import { requireItem } from './items.service.js';

/** The stock ledger: history per item, and the check that every level equals its ledger sum. */

export interface Movement {
  id: string;
  itemId: string;
  locationId: string;
  deltaOnHand: number;
  deltaReserved: number;
  deltaHeld: number;
  /** The level right after this change. */
  after: { onHand: number; reserved: number; held: number; available: number };
  reason: string;
  referenceType: string | null;
  referenceId: string | null;
  note: string | null;
  actorType: string;
  actorId: string | null;
  createdAt: string;
}

export interface MovementQuery {
  limit: number;
  cursor?: string | undefined;
  locationId?: string | undefined;
  reason?: string | undefined;
  since?: string | undefined;
  until?: string | undefined;
}

/** A ledger row as read (the writing transaction's id is internal to the stream). */
export type MovementRow = Omit<Selectable<StockMovementTable>, 'tx_id'>;

export const movementView = (r: MovementRow): Movement => ({
  id: r.id,
  itemId: r.item_id,
  locationId: r.location_id,
  deltaOnHand: r.delta_on_hand,
  deltaReserved: r.delta_reserved,
  deltaHeld: r.delta_held,
  after: {
    onHand: r.on_hand_after,
    reserved: r.reserved_after,
    held: r.held_after,
    available: r.on_hand_after - r.reserved_after - r.held_after,
  },
  reason: r.reason,
  referenceType: r.reference_type,
  referenceId: r.reference_id,
  note: r.note,
  actorType: r.actor_type,
  actorId: r.actor_id,
  createdAt: new Date(r.created_at).toISOString(),
});

/** An item's ledger, newest first; the cursor is the last movement id of the page. */
export async function listMovements(
  db: Queryable,
  itemId: string,
  q: MovementQuery,
): Promise<{ data: Movement[]; nextCursor: string | null }> {
  await requireItem(db, itemId);
  let query = db
    .selectFrom('stock_movement')
    .select([
      'id',
      'item_id',
      'location_id',
      'delta_on_hand',
      'delta_reserved',
      'delta_held',
      'on_hand_after',
      'reserved_after',
      'held_after',
      'reason',
      'reference_type',
      'reference_id',
      'note',
      'actor_type',
      'actor_id',
      'created_at',
    ])
    .where('item_id', '=', itemId)
    .orderBy('id', 'desc')
    .limit(q.limit + 1);
  if (q.cursor) query = query.where('id', '<', q.cursor);
  if (q.locationId) query = query.where('location_id', '=', q.locationId);
  if (q.reason) query = query.where('reason', '=', q.reason);
  if (q.since) query = query.where('created_at', '>=', new Date(q.since));
  if (q.until) query = query.where('created_at', '<', new Date(q.until));
  const rows = await query.execute();
  const data = rows.slice(0, q.limit).map(movementView);
  return { data, nextCursor: rows.length > q.limit ? (data.at(-1)?.id ?? null) : null };
}

export interface LedgerDifference {
  itemId: string;
  locationId: string;
  level: { onHand: number; reserved: number; held: number } | null;
  ledger: { onHand: number; reserved: number; held: number };
}

/** Recomputes every level from the ledger; returns the levels that differ (empty = all good). */
export async function verifyLedger(db: Queryable): Promise<LedgerDifference[]> {
  const res = await sql<{
    item_id: string;
    location_id: string;
    has_level: boolean;
    on_hand: number;
    reserved: number;
    held: number;
    m_on_hand: number;
    m_reserved: number;
    m_held: number;
  }>`
    select coalesce(l.item_id, m.item_id) as item_id, coalesce(l.location_id, m.location_id) as location_id,
           l.item_id is not null as has_level,
           coalesce(l.on_hand, 0) as on_hand, coalesce(l.reserved, 0) as reserved, coalesce(l.held, 0) as held,
           coalesce(m.on_hand, 0)::int as m_on_hand, coalesce(m.reserved, 0)::int as m_reserved,
           coalesce(m.held, 0)::int as m_held
      from inventory_level l
      full join (
        select item_id, location_id, sum(delta_on_hand) as on_hand, sum(delta_reserved) as reserved,
               sum(delta_held) as held
          from stock_movement group by item_id, location_id
      ) m on m.item_id = l.item_id and m.location_id = l.location_id
     where coalesce(l.on_hand, 0) <> coalesce(m.on_hand, 0) or coalesce(l.reserved, 0) <> coalesce(m.reserved, 0)
        or coalesce(l.held, 0) <> coalesce(m.held, 0)
     order by 1, 2`.execute(db);
  return res.rows.map((r) => ({
    itemId: r.item_id,
    locationId: r.location_id,
    level: r.has_level ? { onHand: r.on_hand, reserved: r.reserved, held: r.held } : null,
    ledger: { onHand: r.m_on_hand, reserved: r.m_reserved, held: r.m_held },
  }));
}
