import { Section } from '../../../components/DetailPage';
import { Money, type MoneyValue } from '../../../components/ui';
import type { Order, OrderLine } from './api';

const negative = (m: MoneyValue): MoneyValue => (m.amount ? { ...m, amount: -m.amount } : m);

function Item({ line }: { line: OrderLine }) {
  return (
    <>
      <span className="block font-medium break-words">{line.title}</span>
      <span className="block text-gray-700">
        {line.variantTitle ? `${line.variantTitle} · ` : ''}
        <span className="font-mono text-xs whitespace-nowrap">{line.sku}</span>
      </span>
    </>
  );
}

const th = 'px-3 py-2 font-medium whitespace-nowrap';
const num = 'px-3 py-2 text-right tabular-nums whitespace-nowrap';

/** Wide screens: one row per line with every column. */
function LinesTable({ order }: { order: Order }) {
  return (
    // Focusable so keyboard users can scroll it when the window is narrow.
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must take focus (WCAG 2.1.1)
    <section className="hidden overflow-x-auto sm:block" tabIndex={0} aria-label="Order lines">
      <table className="w-full border-collapse text-left text-sm">
        <thead className="border-b border-gray-200 bg-gray-50 text-gray-700">
          <tr>
            <th scope="col" className={th}>
              Item
            </th>
            {['Qty', 'Fulfilled', 'Shipped', 'Returned', 'Unit price', 'Discount', 'Tax', 'Total'].map((h) => (
              <th key={h} scope="col" className={`${th} text-right`}>
                {h}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className="divide-y divide-gray-100">
          {order.lines.map((l) => (
            <tr key={l.id}>
              <td className="min-w-48 px-3 py-2">
                <Item line={l} />
              </td>
              <td className={num}>{l.quantity}</td>
              <td className={num}>{l.fulfilledQuantity}</td>
              <td className={num}>{l.shippedQuantity}</td>
              <td className={num}>{l.returnedQuantity}</td>
              <td className={num}>
                <Money value={l.unitPrice} />
              </td>
              <td className={num}>{l.discount.amount ? <Money value={negative(l.discount)} /> : '—'}</td>
              <td className={num}>
                <Money value={l.tax} />
              </td>
              <td className={`${num} font-medium`}>
                <Money value={l.total} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

/** Phones: one card per line, nothing to scroll sideways. */
function LinesCards({ order }: { order: Order }) {
  return (
    <ul className="divide-y divide-gray-100 sm:hidden">
      {order.lines.map((l) => (
        <li key={l.id} className="space-y-2 py-3 text-sm first:pt-0">
          <div className="flex justify-between gap-3">
            <div className="min-w-0">
              <Item line={l} />
            </div>
            <Money value={l.total} className="font-medium" />
          </div>
          <dl className="grid grid-cols-2 gap-x-4 gap-y-0.5 text-gray-800">
            <dt className="text-gray-700">Qty × price</dt>
            <dd className="text-right">
              {l.quantity} × <Money value={l.unitPrice} />
            </dd>
            <dt className="text-gray-700">Fulfilled / shipped / returned</dt>
            <dd className="text-right tabular-nums">
              {l.fulfilledQuantity} / {l.shippedQuantity} / {l.returnedQuantity}
            </dd>
            {l.discount.amount ? (
              <>
                <dt className="text-gray-700">Discount</dt>
                <dd className="text-right">
                  <Money value={negative(l.discount)} />
                </dd>
              </>
            ) : null}
            <dt className="text-gray-700">Tax</dt>
            <dd className="text-right">
              <Money value={l.tax} />
            </dd>
          </dl>
        </li>
      ))}
    </ul>
  );
}

/** The order's lines as the API snapshot them: prices, discounts, tax and totals are the server's numbers. */
export function LinesSection({ order }: { order: Order }) {
  return (
    <Section title={`Items (${order.lines.length})`}>
      <LinesTable order={order} />
      <LinesCards order={order} />
    </Section>
  );
}
