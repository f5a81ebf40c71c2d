import { Section } from '../../../components/DetailPage';
import { Badge, Money, type MoneyValue } from '../../../components/ui';
import type { Order } from './api';

function Row({
  label,
  value,
  strong,
  negative,
}: {
  label: string;
  value: MoneyValue;
  strong?: boolean;
  negative?: boolean;
}) {
  return (
    <div className={`flex justify-between gap-4 py-1 ${strong ? 'border-t border-gray-200 pt-2 font-semibold' : ''}`}>
      <dt className="text-gray-700">{label}</dt>
      <dd>
        <Money value={negative && value.amount ? { ...value, amount: -value.amount } : value} />
      </dd>
    </div>
  );
}

/** The order's totals exactly as the API returns them (never added up here), with its promotion codes. */
export function TotalsSection({ order }: { order: Order }) {
  const method = order.shippingMethod as { name?: string } | null;
  return (
    <Section title="Totals">
      <dl className="text-sm">
        <Row label="Subtotal" value={order.subtotal} />
        <Row label="Discounts" value={order.discountTotal} negative />
        <Row label={method?.name ? `Shipping (${method.name})` : 'Shipping'} value={order.shippingTotal} />
        <Row label="Taxes" value={order.taxTotal} />
        <Row label="Total" value={order.total} strong />
      </dl>
      {order.promoCodes.length > 0 ? (
        <div className="flex flex-wrap items-center gap-2 text-sm">
          <span className="text-gray-700">Promotion codes:</span>
          {order.promoCodes.map((code) => (
            <Badge key={code} tone="accent">
              {code}
            </Badge>
          ))}
        </div>
      ) : null}
    </Section>
  );
}
