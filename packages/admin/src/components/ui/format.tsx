/** Money as the API gives it: an integer of minor units and an ISO 4217 code. */
export interface MoneyValue {
  amount: number;
  currency: string;
}

const formatters = new Map<string, Intl.NumberFormat>();

function formatter(currency: string): Intl.NumberFormat {
  let f = formatters.get(currency);
  if (!f) {
    f = new Intl.NumberFormat(undefined, { style: 'currency', currency });
    formatters.set(currency, f);
  }
  return f;
}

/** `{ amount: 1999, currency: 'EUR' }` → "€19.99" (the currency's own number of decimals: JPY has none). */
export function formatMoney(money: MoneyValue): string {
  const f = formatter(money.currency);
  const digits = f.resolvedOptions().maximumFractionDigits ?? 2;
  return f.format(money.amount / 10 ** digits);
}

/** Shows an amount exactly as the API returned it; never add amounts up in the app. */
export function Money({ value, className }: { value: MoneyValue | null | undefined; className?: string }) {
  if (!value) return <span className={className}>—</span>;
  return <span className={`tabular-nums ${className ?? ''}`}>{formatMoney(value)}</span>;
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const dateOnly = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });

export function formatDateTime(value: string | Date, withTime = true): string {
  const d = typeof value === 'string' ? new Date(value) : value;
  return (withTime ? dateTime : dateOnly).format(d);
}

/** A `<time>` in the reader's locale and time zone; the exact ISO instant in its title. */
export function DateTime({ value, dateOnly: only }: { value: string | null | undefined; dateOnly?: boolean }) {
  if (!value) return <span>—</span>;
  return (
    <time dateTime={value} title={value}>
      {formatDateTime(value, !only)}
    </time>
  );
}
