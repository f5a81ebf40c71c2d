import { sql } from 'kysely';
import type { Tx } from '../../platform/db/database.js';
import type { CartStatus } from './carts.tables.js';

/**
 * A cart's lifecycle. `open` carts change; "complete" moves one to `completing` while its payment is asked (or
 * straight to `completed` when it settles in the same transaction: nothing to pay, a provider without I/O); the order
 * placed → `completed`; the payment declined or abandoned → `open` again for another try.
 */
export const cartTransitions = {
  open: ['completing', 'completed'],
  completing: ['completed', 'open'],
  completed: [],
} as const satisfies Record<CartStatus, readonly CartStatus[]>;

const fromStates = (to: CartStatus): CartStatus[] =>
  (Object.keys(cartTransitions) as CartStatus[]).filter((from) =>
    (cartTransitions[from] as readonly CartStatus[]).includes(to),
  );

/**
 * Moves the cart to `to` when the table allows it from its current status (one conditional statement); false when
 * it was in no such status (another finisher moved it first). Entering `completing` starts the completion's lease
 * (`completing_since`, what the worker's sweep claims); every move ends the cart's stock hold window.
 */
export async function moveCart(tx: Tx, cartId: string, to: CartStatus): Promise<boolean> {
  const res = await sql`
    update cart set status = ${to}, held_until = null, updated_at = now(),
           completing_since = ${to === 'completing' ? sql`now()` : sql`null`}
     where id = ${cartId} and status in (${sql.join(fromStates(to))})`.execute(tx);
  return Number(res.numAffectedRows ?? 0) > 0;
}
