import { type RawBuilder, sql } from 'kysely';
import type { AuditContext } from '../../platform/audit/audit.js';
import type { Tx } from '../../platform/db/database.js';

/**
 * The one statement behind every stock change. The caller supplies CTEs that end in
 * `d(item_id, location_id, d_on_hand, d_reserved, d_held, expect_on_hand, ref_id)`: the deltas
 * (several rows per level are summed). The statement then, in this order:
 *
 * 1. locks the affected levels `FOR UPDATE` in (item_id, location_id) order, so two changes on
 *    the same items can never deadlock, and reads their current values (the locked, latest ones);
 * 2. finds refused rows (`bad`): a missing level, a counter that would go below zero, available
 *    below zero where backorders are off (always, with `strict`), or an `expect_on_hand` mismatch;
 * 3. only when nothing is refused, updates every level and appends one ledger row per
 *    (item, location, reference) — the level and its ledger change together or not at all.
 *
 * `after` CTEs may reference `bad` to make their own writes conditional (holds, reservations).
 */

export const movementReasons = [
  'received',
  'sold',
  'hold',
  'release',
  'expired',
  'commit',
  'fulfil',
  'return',
  'restock',
  'damaged',
  'lost',
  'found',
  'correction',
  'cycle_count',
  'transfer',
] as const;
export type MovementReason = (typeof movementReasons)[number];

export interface MovementMeta {
  reason: MovementReason;
  /** Used instead of `reason` for ledger rows whose counters shrink in total (e.g. a hold given back). */
  reasonWhenNegative?: MovementReason;
  referenceType: 'order' | 'cart' | 'import' | 'adjustment' | 'transfer' | null;
  referenceId: string | null;
  note?: string | null | undefined;
  actor: AuditContext;
}

export interface LevelChange {
  itemId: string;
  locationId: string;
  /** False when the location is inactive (its stock is not sellable). */
  active: boolean;
  /** Values before the change (as locked), or null when the level does not exist. */
  before: { onHand: number; reserved: number; held: number } | null;
  delta: { onHand: number; reserved: number; held: number };
  refused: boolean;
}

export interface ChangeResult {
  applied: boolean;
  levels: LevelChange[];
  extra: Record<string, unknown>;
}

export interface ChangeOptions {
  ctes: RawBuilder<unknown>;
  after?: RawBuilder<unknown>;
  /** Extra columns of the final row, e.g. `sql\`(select …) as short\``; returned in `extra`. */
  extra?: RawBuilder<unknown>;
  meta: MovementMeta;
  /** Refuse negative available even where backorders are allowed (transfers). */
  strict?: boolean;
}

interface Row {
  levels: string;
  refused: number;
  [k: string]: unknown;
}

export async function changeLevels(tx: Tx, opts: ChangeOptions): Promise<ChangeResult> {
  const { meta } = opts;
  const strict = opts.strict ?? false;
  const negative = meta.reasonWhenNegative ?? meta.reason;
  const res = await sql<Row>`
    with ${opts.ctes},
    agg as (
      select item_id, location_id, sum(d_on_hand)::int as d_on_hand, sum(d_reserved)::int as d_reserved,
             sum(d_held)::int as d_held, min(expect_on_hand)::int as expect_on_hand
        from d group by item_id, location_id
    ),
    locked as (
      select l.item_id, l.location_id, l.on_hand, l.reserved, l.held, l.allow_backorder, s.active
        from inventory_level l
        join agg a on a.item_id = l.item_id and a.location_id = l.location_id
        join stock_location s on s.id = l.location_id
       order by l.item_id, l.location_id
         for update of l
    ),
    bad as (
      select a.item_id, a.location_id
        from agg a left join locked k on k.item_id = a.item_id and k.location_id = a.location_id
       where k.item_id is null
          or k.on_hand + a.d_on_hand < 0 or k.reserved + a.d_reserved < 0 or k.held + a.d_held < 0
          or ((${strict}::boolean or not k.allow_backorder) and a.d_on_hand - a.d_reserved - a.d_held < 0
              and (k.on_hand + a.d_on_hand) - (k.reserved + a.d_reserved) - (k.held + a.d_held) < 0)
          or (a.expect_on_hand is not null and k.on_hand <> a.expect_on_hand)
    ),
    -- New values come from the locked (latest) row, not from \`l\`: PostgreSQL checks constraints on
    -- the row as this statement's snapshot saw it before it re-reads a concurrently updated one, and
    -- a stale on_hand would fail the available CHECK for a change that is in fact allowed.
    upd as (
      update inventory_level l
         set on_hand = k.on_hand + a.d_on_hand, reserved = k.reserved + a.d_reserved,
             held = k.held + a.d_held, allow_backorder = k.allow_backorder, updated_at = now()
        from agg a join locked k on k.item_id = a.item_id and k.location_id = a.location_id
       where l.item_id = a.item_id and l.location_id = a.location_id
         and (a.d_on_hand <> 0 or a.d_reserved <> 0 or a.d_held <> 0)
         and not exists (select 1 from bad)
      returning l.item_id
    ),
    mov as (
      insert into stock_movement (item_id, location_id, delta_on_hand, delta_reserved, delta_held,
                                  on_hand_after, reserved_after, held_after, reason,
                                  reference_type, reference_id, note, actor_type, actor_id)
      select g.item_id, g.location_id, g.d_on_hand, g.d_reserved, g.d_held,
             k.on_hand + a.d_on_hand, k.reserved + a.d_reserved, k.held + a.d_held,
             case when g.d_on_hand + g.d_reserved + g.d_held < 0 then ${negative}::text else ${meta.reason}::text end,
             ${meta.referenceType}::text, coalesce(g.ref_id, ${meta.referenceId}::text), ${meta.note ?? null}::text,
             ${meta.actor.actorType}::text, ${meta.actor.actorId}::text
        from (select item_id, location_id, ref_id, sum(d_on_hand)::int as d_on_hand,
                     sum(d_reserved)::int as d_reserved, sum(d_held)::int as d_held
                from d group by item_id, location_id, ref_id) g
        join agg a on a.item_id = g.item_id and a.location_id = g.location_id
        join locked k on k.item_id = g.item_id and k.location_id = g.location_id
       where (g.d_on_hand <> 0 or g.d_reserved <> 0 or g.d_held <> 0)
         and not exists (select 1 from bad)
       order by g.item_id, g.location_id, g.ref_id
      returning id
    )${opts.after ? sql`, ${opts.after}` : sql``}
    select
      (select coalesce(json_agg(json_build_object(
          'itemId', a.item_id, 'locationId', a.location_id, 'active', coalesce(k.active, false),
          'before', case when k.item_id is null then null
                         else json_build_object('onHand', k.on_hand, 'reserved', k.reserved, 'held', k.held) end,
          'delta', json_build_object('onHand', a.d_on_hand, 'reserved', a.d_reserved, 'held', a.d_held),
          'refused', exists (select 1 from bad b where b.item_id = a.item_id and b.location_id = a.location_id)
        ) order by a.item_id, a.location_id), '[]'::json)::text
        from agg a left join locked k on k.item_id = a.item_id and k.location_id = a.location_id) as levels,
      (select count(*)::int from bad) as refused
      ${opts.extra ? sql`, ${opts.extra}` : sql``}
  `.execute(tx);
  const row = res.rows[0] as Row;
  const { levels, refused, ...extra } = row;
  return { applied: Number(refused) === 0, levels: JSON.parse(levels) as LevelChange[], extra };
}
