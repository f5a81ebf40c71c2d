import type { ReactNode } from 'react';
import { Section } from '../../../components/DetailPage';
import { DateTime, Money, StatusBadge } from '../../../components/ui';
import type { Order, TimelineEntry } from './api';
import { describeEntry } from './timeline-text';

const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/**
 * Payment: the order's payment status, the captured and refunded sums the server recorded with its last payment
 * change, and each capture, refund and dispute from the timeline. (The order detail API has no per-payment list —
 * provider, authorized amount — yet; this shows everything it does return.)
 */
export function PaymentsSection({ order, actions }: { order: Order; actions?: ReactNode }) {
  const last = [...order.timeline]
    .reverse()
    .find((e) => e.kind === 'payment_status.changed' && num(e.data.captured) !== undefined);
  const moves = order.timeline.filter((e) => e.kind === 'payment.captured' || e.kind === 'refund.created').reverse();
  const disputes = order.timeline.filter((e) => e.kind.startsWith('payment.dispute_')).reverse();
  const cur = order.currency;
  return (
    <Section title="Payment" actions={actions}>
      <dl className="grid grid-cols-2 gap-x-4 gap-y-2 text-sm sm:grid-cols-4">
        <div>
          <dt className="text-gray-700">Status</dt>
          <dd>
            <StatusBadge status={order.paymentStatus} />
          </dd>
        </div>
        <div>
          <dt className="text-gray-700">Order total</dt>
          <dd>
            <Money value={order.total} />
          </dd>
        </div>
        <div>
          <dt className="text-gray-700">Captured</dt>
          <dd>{last ? <Money value={{ amount: num(last.data.captured) ?? 0, currency: cur }} /> : '—'}</dd>
        </div>
        <div>
          <dt className="text-gray-700">Refunded</dt>
          <dd>{last ? <Money value={{ amount: num(last.data.refunded) ?? 0, currency: cur }} /> : '—'}</dd>
        </div>
      </dl>
      {moves.length > 0 ? <EventList title="Captures and refunds" entries={moves} currency={cur} /> : null}
      {disputes.length > 0 ? <EventList title="Disputes" entries={disputes} currency={cur} tone="danger" /> : null}
    </Section>
  );
}

function EventList({
  title,
  entries,
  currency,
  tone,
}: {
  title: string;
  entries: TimelineEntry[];
  currency: string;
  tone?: 'danger';
}) {
  return (
    <div>
      <h3 className={`text-sm font-medium ${tone === 'danger' ? 'text-red-800' : 'text-gray-800'}`}>{title}</h3>
      <ul className="mt-1 divide-y divide-gray-100 text-sm">
        {entries.map((e) => {
          const t = describeEntry(e, currency);
          return (
            <li key={e.id} className="flex flex-wrap justify-between gap-x-4 py-1.5">
              <span>
                {t.title}
                {t.detail ? <span className="text-gray-700"> — {t.detail}</span> : null}
              </span>
              <span className="text-gray-700">
                <DateTime value={e.at} />
              </span>
            </li>
          );
        })}
      </ul>
    </div>
  );
}
