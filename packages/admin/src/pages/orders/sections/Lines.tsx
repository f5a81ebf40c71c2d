import { Section } from '../../../components/DetailPage';
import { Money, Table, TBody, Td, THead, Th, Tr } from '../../../components/ui';
import type { Order } from './api';

/** The order's lines as the API snapshot them: prices, discounts, tax and totals are the server's numbers. */
export function LinesSection({ order }: { order: Order }) {
  return (
    <Section title={`Items (${order.lines.length})`}>
      <Table aria-label="Order lines">
        <THead>
          <tr>
            <Th>Item</Th>
            <Th className="text-right">Qty</Th>
            <Th className="text-right">Fulfilled</Th>
            <Th className="text-right">Shipped</Th>
            <Th className="text-right">Returned</Th>
            <Th className="text-right">Unit price</Th>
            <Th className="text-right">Discount</Th>
            <Th className="text-right">Tax</Th>
            <Th className="text-right">Total</Th>
          </tr>
        </THead>
        <TBody>
          {order.lines.map((l) => (
            <Tr key={l.id}>
              <Td className="min-w-48">
                <span className="block font-medium">{l.title}</span>
                <span className="block text-gray-700">
                  {l.variantTitle ? `${l.variantTitle} · ` : ''}
                  <span className="font-mono text-xs">{l.sku}</span>
                </span>
              </Td>
              <Td className="text-right tabular-nums">{l.quantity}</Td>
              <Td className="text-right tabular-nums">{l.fulfilledQuantity}</Td>
              <Td className="text-right tabular-nums">{l.shippedQuantity}</Td>
              <Td className="text-right tabular-nums">{l.returnedQuantity}</Td>
              <Td className="text-right">
                <Money value={l.unitPrice} />
              </Td>
              <Td className="text-right">
                {l.discount.amount ? <Money value={{ ...l.discount, amount: -l.discount.amount }} /> : '—'}
              </Td>
              <Td className="text-right">
                <Money value={l.tax} />
              </Td>
              <Td className="text-right font-medium">
                <Money value={l.total} />
              </Td>
            </Tr>
          ))}
        </TBody>
      </Table>
    </Section>
  );
}
