import { Section } from '../../../components/DetailPage';
import { addressLines, asAddress, type Order } from './api';

function Address({ title, value }: { title: string; value: unknown }) {
  const a = asAddress(value);
  return (
    <div>
      <h3 className="text-sm font-medium text-gray-700">{title}</h3>
      {a ? (
        <address className="mt-1 text-sm not-italic">
          {addressLines(a).map((line, i) => (
            // Address lines have no id; their position is their identity.
            // biome-ignore lint/suspicious/noArrayIndexKey: static list, never reordered
            <span key={i} className="block break-words">
              {line}
            </span>
          ))}
          {a.phone ? <span className="block">{a.phone}</span> : null}
        </address>
      ) : (
        <p className="mt-1 text-sm text-gray-700">Not given</p>
      )}
    </div>
  );
}

/** Where the order goes and who pays (as given at checkout). */
export function AddressesSection({ order }: { order: Order }) {
  return (
    <Section title="Addresses">
      <div className="grid gap-4 sm:grid-cols-2">
        <Address title="Ship to" value={order.shippingAddress} />
        <Address title="Bill to" value={order.billingAddress} />
      </div>
    </Section>
  );
}
