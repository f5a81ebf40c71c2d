import { ValidationError } from '../../platform/errors.js';
import type { PaymentsDeps } from './payments.deps.js';

export interface DisputeQuery {
  status?: string | undefined;
  provider?: string | undefined;
  limit?: number | undefined;
  cursor?: string | undefined;
}

interface Position {
  openedAt: Date;
  provider: string;
  disputeId: string;
}

/** A page's end, opaque to the caller: when the last dispute shown was opened, and its key (ties on the time). */
function encodeCursor(p: Position): string {
  return Buffer.from(JSON.stringify([p.openedAt.toISOString(), p.provider, p.disputeId])).toString('base64url');
}

function decodeCursor(cursor: string): Position {
  try {
    const [at, provider, disputeId] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    const openedAt = new Date(String(at));
    if (typeof provider === 'string' && typeof disputeId === 'string' && !Number.isNaN(openedAt.getTime())) {
      return { openedAt, provider, disputeId };
    }
  } catch {
    // falls through to the validation error
  }
  throw new ValidationError([{ path: '/query/cursor', message: 'must be the nextCursor of a previous page' }]);
}

/**
 * Disputes (chargebacks) recorded from the gateways' webhooks, newest opened first, with the order each concerns.
 * Keyset paging on (opened_at, provider, dispute_id), so a dispute opened while paging shifts no page.
 */
export async function listDisputes(deps: PaymentsDeps, query: DisputeQuery) {
  const limit = query.limit ?? 20;
  let q = deps.db
    .selectFrom('payment_dispute as d')
    .innerJoin('payment as p', 'p.id', 'd.payment_id')
    .select([
      'd.provider',
      'd.dispute_id',
      'd.payment_id',
      'p.order_id',
      'd.status',
      'd.reason',
      'd.amount',
      'd.currency',
      'd.opened_at',
      'd.closed_at',
      'd.updated_at',
    ])
    .orderBy('d.opened_at', 'desc')
    .orderBy('d.provider', 'desc')
    .orderBy('d.dispute_id', 'desc')
    .limit(limit + 1);
  if (query.status) q = q.where('d.status', '=', query.status);
  if (query.provider) q = q.where('d.provider', '=', query.provider);
  if (query.cursor) {
    const c = decodeCursor(query.cursor);
    q = q.where((eb) =>
      eb.or([
        eb('d.opened_at', '<', c.openedAt),
        eb.and([
          eb('d.opened_at', '=', c.openedAt),
          eb.or([
            eb('d.provider', '<', c.provider),
            eb.and([eb('d.provider', '=', c.provider), eb('d.dispute_id', '<', c.disputeId)]),
          ]),
        ]),
      ]),
    );
  }
  const rows = await q.execute();
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  const nextCursor =
    rows.length > limit && last
      ? encodeCursor({ openedAt: new Date(last.opened_at), provider: last.provider, disputeId: last.dispute_id })
      : null;
  return { rows: page, nextCursor };
}
