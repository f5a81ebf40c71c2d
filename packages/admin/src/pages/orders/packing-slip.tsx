import { Link, useParams, useSearch } from '@tanstack/react-router';
import { describeError } from '../../api/errors';
import { useSession } from '../../api/session';
import { Button, ErrorNotice, formatDateTime, Spinner } from '../../components/ui';
import { addressLines, asAddress, type Order, useOrder } from './sections/api';

interface SlipLine {
  id: string;
  sku: string;
  title: string;
  variantTitle: string;
  quantity: number;
}

/**
 * What to pack: one parcel's lines (`?fulfillment=<id>`, from the parcel on the order page), else every unit not
 * shipped yet (ordered − shipped, as the API counts them); an order fully shipped lists what was ordered.
 */
function slipLines(order: Order, fulfillmentId: string | undefined): { lines: SlipLine[]; heading: string } {
  const parcel = fulfillmentId ? order.fulfillments.find((f) => f.id === fulfillmentId) : undefined;
  if (parcel) {
    return {
      heading: 'Items in this parcel',
      lines: parcel.lines.map((l) => ({
        id: l.lineId,
        sku: l.sku,
        title: l.title,
        variantTitle: l.variantTitle,
        quantity: l.quantity,
      })),
    };
  }
  const open = order.lines
    .map((l) => ({ ...l, quantity: l.quantity - l.shippedQuantity }))
    .filter((l) => l.quantity > 0);
  if (open.length > 0) return { heading: 'Items to pack', lines: open };
  return { heading: 'Items ordered', lines: order.lines };
}

/** The shop's name, when the API's profile answer carries it (`shopName` on GET /v1/admin/staff/me). */
function useShopName(): string | undefined {
  const { me } = useSession();
  const name = (me as { shopName?: unknown } | undefined)?.shopName;
  return typeof name === 'string' && name ? name : undefined;
}

/** `/orders/$orderId/packing-slip`: a printable slip for the warehouse — no prices, only what goes in the box. */
export default function PackingSlipPage() {
  const { orderId = '' } = useParams({ strict: false }) as { orderId?: string };
  const search = useSearch({ strict: false }) as { fulfillment?: string };
  const query = useOrder(orderId);
  const shopName = useShopName();
  if (query.isPending) return <Spinner />;
  if (query.error) return <ErrorNotice error={describeError(query.error)} />;
  const order = query.data;
  const { lines, heading } = slipLines(order, search.fulfillment);
  const shipTo = asAddress(order.shippingAddress);
  const method = order.shippingMethod as { name?: string } | null;

  return (
    <article className="space-y-6 text-gray-900">
      <div className="flex flex-wrap items-center justify-between gap-3 print:hidden">
        <Link
          to="/orders/$orderId"
          params={{ orderId: order.id }}
          activeOptions={{ exact: true }}
          className="text-sm text-accent-700 underline"
        >
          ← Back to order #{order.number}
        </Link>
        <Button variant="primary" onClick={() => window.print()}>
          Print
        </Button>
      </div>
      <header className="flex flex-wrap items-start justify-between gap-4 border-b border-gray-300 pb-4">
        <div>
          {shopName ? <p className="text-lg font-semibold">{shopName}</p> : null}
          <h1 className="text-2xl font-semibold">Packing slip</h1>
        </div>
        <dl className="grid grid-cols-[auto_auto] gap-x-3 text-sm">
          <dt className="text-gray-700">Order</dt>
          <dd className="font-semibold">#{order.number}</dd>
          <dt className="text-gray-700">Date</dt>
          <dd>{formatDateTime(order.placedAt ?? order.createdAt, false)}</dd>
          {method?.name ? (
            <>
              <dt className="text-gray-700">Shipping</dt>
              <dd>{method.name}</dd>
            </>
          ) : null}
        </dl>
      </header>
      <section>
        <h2 className="text-sm font-semibold tracking-wide text-gray-700 uppercase">Ship to</h2>
        {shipTo ? (
          <address className="mt-1 not-italic">
            {addressLines(shipTo).map((line, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: address lines have no id and never move
              <span key={i} className="block break-words">
                {line}
              </span>
            ))}
          </address>
        ) : (
          <p className="mt-1">No shipping address</p>
        )}
      </section>
      <section>
        <h2 className="text-sm font-semibold tracking-wide text-gray-700 uppercase">{heading}</h2>
        <table className="mt-2 w-full border-collapse text-sm">
          <thead>
            <tr className="border-b border-gray-300 text-left">
              <th scope="col" className="py-2 pr-3 font-medium">
                SKU
              </th>
              <th scope="col" className="py-2 pr-3 font-medium">
                Item
              </th>
              <th scope="col" className="py-2 text-right font-medium">
                Qty
              </th>
              <th scope="col" className="w-12 py-2 text-right font-medium">
                <span className="sr-only">Packed</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {lines.map((l) => (
              <tr key={l.id} className="border-b border-gray-200 align-top">
                <td className="py-2 pr-3 font-mono text-xs break-all">{l.sku}</td>
                <td className="py-2 pr-3 break-words">
                  {l.title}
                  {l.variantTitle ? <span className="block text-gray-700">{l.variantTitle}</span> : null}
                </td>
                <td className="py-2 text-right text-base font-semibold tabular-nums">{l.quantity}</td>
                <td className="py-2 text-right">
                  <span aria-hidden="true" className="inline-block size-4 border border-gray-500" />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </article>
  );
}
