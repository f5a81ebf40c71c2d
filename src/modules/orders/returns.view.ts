import { sql } from 'kysely';

/**
 * JSON of returns for reads: `returnObject` builds one return (alias `r`) with its lines, so the order detail,
 * the return detail and the return lists all show the same shape (ReturnView in returns.schemas.ts).
 */

const iso = (col: string) => sql.raw(`to_char(${col} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`);

const returnShape = (requester: ReturnType<typeof sql>) => sql`json_build_object(
  'id', r.id, 'orderId', r.order_id, 'status', r.status,
  'requestedBy', ${requester},
  'note', r.note, 'rejectionReason', r.rejection_reason,
  'refundedAmount', json_build_object('amount', r.refunded_amount, 'currency', r.currency),
  'createdAt', ${iso('r.created_at')}, 'approvedAt', ${iso('r.approved_at')},
  'rejectedAt', ${iso('r.rejected_at')}, 'receivedAt', ${iso('r.received_at')},
  'lines', coalesce((select json_agg(json_build_object(
      'id', rl.id, 'orderLineId', rl.order_line_id, 'variantId', ol.variant_id, 'sku', ol.sku, 'title', ol.title,
      'quantity', rl.quantity, 'reason', rl.reason, 'note', rl.note,
      'receivedQuantity', rl.received_quantity, 'restockedQuantity', rl.restocked_quantity) order by rl.position)
    from return_line rl join order_line ol on ol.id = rl.order_line_id where rl.return_id = r.id), '[]'::json))`;

export const returnObject = returnShape(sql`json_build_object('type', r.requested_by_type, 'id', r.requested_by_id)`);

/** For the customer's eyes: who on the staff opened a return is not theirs to know (only that staff did). */
export const customerReturnObject = returnShape(
  sql`json_build_object('type', r.requested_by_type,
        'id', case when r.requested_by_type = 'customer' then r.requested_by_id end)`,
);

/** The order's returns, oldest first, as a JSON array, for the order detail statement (`o` is the order row). */
export const returnsJson = (forCustomer: boolean) =>
  sql`coalesce((select json_agg(${
    forCustomer ? customerReturnObject : returnObject
  } order by r.id) from return_request r where r.order_id = o.id), '[]'::json)`;
