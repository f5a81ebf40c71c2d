import { type Kysely, sql } from 'kysely';

/**
 * Inventory: stock locations, one inventory item per variant (bundles consume several items),
 * levels per (item, location), the append-only stock ledger, cart holds and order reservations.
 *
 * Invariants live in constraints as the last line of defence behind the conditional statements:
 * no counter below zero, and available (on_hand − reserved − held) below zero only where the
 * item allows backorders (`inventory_level.allow_backorder` is a copy of the item's flag, updated
 * in the same statement as the item, because a CHECK cannot look at another table).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  // TypeID (`<prefix>_` + UUIDv7 in Crockford base32), the same format as `newId` in ids.ts, so
  // statements that write many ledger rows at once can give each its own sortable id.
  await sql`
    create function inventory_typeid(prefix text) returns text language plpgsql volatile as $$
    declare
      ms bigint := floor(extract(epoch from clock_timestamp()) * 1000);
      b bytea := decode(lpad(to_hex(ms), 12, '0'), 'hex') || substring(uuid_send(gen_random_uuid()) from 7 for 10);
      bits bit(130);
      alphabet text := '0123456789abcdefghjkmnpqrstvwxyz';
      out text := '';
    begin
      b := set_byte(b, 6, (get_byte(b, 6) & 15) | 112);
      b := set_byte(b, 8, (get_byte(b, 8) & 63) | 128);
      bits := B'00' || ('x' || encode(b, 'hex'))::bit(128);
      for i in 0..25 loop
        out := out || substr(alphabet, substring(bits from i * 5 + 1 for 5)::int + 1, 1);
      end loop;
      return prefix || '_' || out;
    end $$`.execute(db);

  await sql`
    create table stock_location (
      id text primary key,
      code text not null unique check (code ~ '^[a-z0-9]+([-_][a-z0-9]+)*$' and length(code) <= 64),
      name text not null check (length(name) between 1 and 200),
      -- { line1, line2, city, postalCode, region, countryCode }: free-form, validated by the API.
      address jsonb not null default '{}'::jsonb,
      active boolean not null default true,
      -- Holds are allocated from active locations in ascending priority (then id).
      priority integer not null default 100 check (priority between 0 and 1000000),
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`.execute(db);

  await sql`
    create table inventory_item (
      id text primary key,
      sku text not null unique check (length(sku) between 1 and 100),
      variant_id text unique references variant (id) on delete set null,
      tracked boolean not null default true,
      allow_backorder boolean not null default false,
      low_stock_threshold integer not null default 0 check (low_stock_threshold >= 0),
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`.execute(db);

  // What selling one unit of a variant consumes. A plain variant: its own item × 1.
  await sql`
    create table variant_component (
      variant_id text not null references variant (id) on delete cascade,
      item_id text not null references inventory_item (id),
      quantity integer not null check (quantity between 1 and 10000),
      primary key (variant_id, item_id)
    )`.execute(db);
  await sql`create index variant_component_item_idx on variant_component (item_id)`.execute(db);

  await sql`
    create table inventory_level (
      item_id text not null references inventory_item (id),
      location_id text not null references stock_location (id),
      on_hand integer not null default 0,
      reserved integer not null default 0,
      held integer not null default 0,
      allow_backorder boolean not null default false,
      updated_at timestamptz not null default now(),
      primary key (item_id, location_id),
      constraint inventory_level_on_hand_check check (on_hand >= 0),
      constraint inventory_level_reserved_check check (reserved >= 0),
      constraint inventory_level_held_check check (held >= 0),
      constraint inventory_level_available_check check (allow_backorder or on_hand - reserved - held >= 0)
    )`.execute(db);
  await sql`create index inventory_level_location_idx on inventory_level (location_id)`.execute(db);

  await sql`
    create table stock_movement (
      id text primary key default inventory_typeid('mov'),
      item_id text not null references inventory_item (id),
      location_id text not null references stock_location (id),
      delta_on_hand integer not null,
      delta_reserved integer not null,
      delta_held integer not null,
      -- The level right after the statement that wrote this row (what live readers show).
      on_hand_after integer not null,
      reserved_after integer not null,
      held_after integer not null,
      reason text not null check (reason in ('received', 'sold', 'hold', 'release', 'expired', 'commit', 'fulfil',
        'return', 'restock', 'damaged', 'lost', 'found', 'correction', 'cycle_count', 'transfer')),
      reference_type text check (reference_type in ('order', 'cart', 'import', 'adjustment', 'transfer')),
      reference_id text,
      note text check (length(note) <= 500),
      actor_type text not null,
      actor_id text,
      created_at timestamptz not null default now(),
      -- The writing transaction: the live stream emits rows only once every older transaction
      -- has finished, so a slow commit can never be skipped by a reader's cursor.
      tx_id xid8 not null default pg_current_xact_id()
    )`.execute(db);
  await sql`create index stock_movement_item_idx on stock_movement (item_id, id)`.execute(db);
  await sql`create index stock_movement_stream_idx on stock_movement (tx_id, id)`.execute(db);
  await sql`
    create function stock_movement_is_append_only() returns trigger language plpgsql as $$
    begin
      raise exception 'stock_movement is append-only' using errcode = 'insufficient_privilege';
    end $$`.execute(db);
  await sql`
    create trigger stock_movement_append_only before update or delete on stock_movement
    for each row execute function stock_movement_is_append_only()`.execute(db);
  await sql`
    create trigger stock_movement_no_truncate before truncate on stock_movement
    for each statement execute function stock_movement_is_append_only()`.execute(db);

  // Units a cart holds during checkout, per cart line, component item and location.
  await sql`
    create table stock_hold (
      id text primary key default inventory_typeid('hold'),
      cart_id text not null,
      variant_id text not null,
      line_quantity integer not null check (line_quantity > 0),
      item_id text not null references inventory_item (id),
      location_id text not null references stock_location (id),
      quantity integer not null check (quantity > 0),
      expires_at timestamptz not null,
      created_at timestamptz not null default now()
    )`.execute(db);
  await sql`create index stock_hold_cart_idx on stock_hold (cart_id)`.execute(db);
  await sql`create index stock_hold_expiry_idx on stock_hold (expires_at, id)`.execute(db);

  // Units committed to an order and not yet shipped or released.
  await sql`
    create table stock_reservation (
      order_id text not null,
      variant_id text not null,
      item_id text not null references inventory_item (id),
      location_id text not null references stock_location (id),
      quantity integer not null check (quantity >= 0),
      primary key (order_id, variant_id, item_id, location_id)
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of [
    'stock_reservation',
    'stock_hold',
    'stock_movement',
    'inventory_level',
    'variant_component',
    'inventory_item',
    'stock_location',
  ]) {
    await sql`drop table if exists ${sql.table(t)} cascade`.execute(db);
  }
  await sql`drop function if exists stock_movement_is_append_only()`.execute(db);
  await sql`drop function if exists inventory_typeid(text)`.execute(db);
}
