import { formatMoney } from '../../../components/ui';
import type { TimelineEntry } from './api';

/**
 * Timeline entries in words. The kinds are the orders module's (`order.created`, `<field>.changed`,
 * `payment.captured`, `refund.created`, `fulfillment.*`, `return.*`, `note.added`, `payment.dispute_*`); an unknown
 * kind is still shown, by its name, so nothing the server recorded is hidden.
 */

const words = (s: unknown) => String(s ?? '').replace(/_/g, ' ');
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const text = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v : undefined);

function money(amount: unknown, currency: string): string | undefined {
  const n = num(amount);
  return n === undefined ? undefined : formatMoney({ amount: n, currency });
}

const fields: Record<string, string> = {
  status: 'Order',
  payment_status: 'Payment',
  fulfillment_status: 'Fulfilment',
};

export interface TimelineText {
  title: string;
  detail?: string | undefined;
}

export function describeEntry(e: TimelineEntry, currency: string): TimelineText {
  const d = e.data;
  const cur = text(d.currency) ?? currency;
  const changed = /^(.*)\.changed$/.exec(e.kind);
  if (changed?.[1]) {
    const field = fields[changed[1]] ?? words(changed[1]);
    const extra: string[] = [];
    if (text(d.reason)) extra.push(`Reason: ${words(d.reason)}`);
    if (changed[1] === 'payment_status' && num(d.captured) !== undefined) {
      extra.push(`captured ${money(d.captured, cur)}, refunded ${money(d.refunded ?? 0, cur)}`);
    }
    return { title: `${field}: ${words(d.from)} → ${words(d.to)}`, detail: extra.join(' · ') || undefined };
  }
  switch (e.kind) {
    case 'order.created':
      return { title: `Order #${d.number ?? ''} created`, detail: money(d.total, cur) };
    case 'note.added':
      return { title: 'Note', detail: text(d.note) };
    case 'payment.captured':
      return { title: `Payment captured: ${money(d.amount, cur) ?? ''}` };
    case 'refund.created':
      return { title: `Refunded ${money(d.amount, cur) ?? ''}`, detail: text(d.reason) };
    case 'fulfillment.created': {
      const lines = Array.isArray(d.lines) ? (d.lines as { quantity?: number }[]) : [];
      const units = lines.reduce((n, l) => n + (num(l.quantity) ?? 0), 0);
      return { title: `Fulfilled ${units} unit${units === 1 ? '' : 's'}` };
    }
    case 'fulfillment.shipped':
      return {
        title: `Shipped with ${text(d.carrier) ?? 'a carrier'}`,
        detail: text(d.trackingNumber) ? `Tracking ${d.trackingNumber}` : undefined,
      };
    case 'fulfillment.delivered':
      return { title: 'Parcel delivered' };
    case 'return.requested':
      return { title: 'Return requested', detail: text(d.note) };
    case 'return.approved':
      return { title: 'Return approved' };
    case 'return.rejected':
      return { title: 'Return rejected', detail: text(d.reason) };
    case 'return.received':
      return { title: 'Return received' };
    case 'payment.dispute_opened':
    case 'payment.dispute_closed':
      return {
        title: e.kind === 'payment.dispute_opened' ? 'Dispute opened' : 'Dispute closed',
        detail: [words(d.status), text(d.reason) ? words(d.reason) : undefined, money(d.amount, cur)]
          .filter(Boolean)
          .join(' · '),
      };
    default:
      return { title: words(e.kind) };
  }
}

/** Who did it: staff (with their id), the customer, or the system (checkout, gateway webhooks, workers). */
export function actorText(e: TimelineEntry): string {
  if (e.actorType === 'system') return 'System';
  if (e.actorType === 'customer') return 'Customer';
  if (e.actorType === 'staff') return 'Staff';
  if (e.actorType === 'api_key') return 'API key';
  return words(e.actorType);
}
