import { type Kysely, sql } from 'kysely';

/**
 * Erasure requests (issue 15) versus the append-only order timeline: the `placed` entry carries the buyer's email and
 * customer-made entries name the customer, so erasing a customer must be able to rewrite exactly those two things.
 * The trigger still refuses every delete, and every update — unless the transaction declared an erasure with
 * `set_config('backroom.erasing', 'on', true)` (transaction-local; only `eraseCustomerOrders` does) and the update
 * leaves the entry's order, time and kind as they were.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create or replace function order_event_is_append_only() returns trigger language plpgsql as $$
    begin
      if tg_op = 'UPDATE' and coalesce(current_setting('backroom.erasing', true), '') = 'on'
         and new.id = old.id and new.order_id = old.order_id and new.at = old.at and new.kind = old.kind
         and new.actor_type = old.actor_type then
        return new;
      end if;
      raise exception 'order_event is append-only' using errcode = 'insufficient_privilege';
    end $$`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    create or replace function order_event_is_append_only() returns trigger language plpgsql as $$
    begin
      raise exception 'order_event is append-only' using errcode = 'insufficient_privilege';
    end $$`.execute(db);
}
