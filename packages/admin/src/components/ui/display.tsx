import type { HTMLAttributes, ReactNode } from 'react';
import { cx } from './cx';

export type Tone = 'neutral' | 'accent' | 'success' | 'warning' | 'danger' | 'info';

const tones: Record<Tone, string> = {
  neutral: 'bg-gray-100 text-gray-800 ring-gray-300',
  accent: 'bg-accent-50 text-accent-800 ring-accent-100',
  success: 'bg-green-50 text-green-800 ring-green-200',
  warning: 'bg-amber-50 text-amber-900 ring-amber-200',
  danger: 'bg-red-50 text-red-800 ring-red-200',
  info: 'bg-sky-50 text-sky-900 ring-sky-200',
};

export function Badge({ tone = 'neutral', children }: { tone?: Tone; children: ReactNode }) {
  return (
    <span
      className={cx(
        'inline-flex items-center rounded-full px-2 py-0.5 text-xs font-medium whitespace-nowrap ring-1 ring-inset',
        tones[tone],
      )}
    >
      {children}
    </span>
  );
}

// Order, payment, fulfilment, return and stock states → a tone. Unknown states show neutral, never hidden.
const stateTones: Record<string, Tone> = {
  pending_payment: 'warning',
  pending: 'warning',
  awaiting_capture: 'warning',
  authorized: 'info',
  requires_action: 'warning',
  paid: 'success',
  captured: 'success',
  partially_captured: 'info',
  partially_paid: 'info',
  completed: 'success',
  fulfilled: 'success',
  shipped: 'accent',
  partially_shipped: 'info',
  partially_fulfilled: 'info',
  unfulfilled: 'warning',
  not_fulfilled: 'warning',
  delivered: 'success',
  partially_delivered: 'info',
  refunded: 'neutral',
  partially_refunded: 'info',
  cancelled: 'neutral',
  canceled: 'neutral',
  voided: 'neutral',
  failed: 'danger',
  disputed: 'danger',
  requested: 'warning',
  approved: 'info',
  received: 'success',
  rejected: 'neutral',
  draft: 'neutral',
  active: 'success',
  published: 'success',
  archived: 'neutral',
  disabled: 'danger',
  invited: 'info',
  low_stock: 'warning',
  out_of_stock: 'danger',
  in_stock: 'success',
};

/** A state as the API returns it (`partially_shipped` → "Partially shipped"), coloured by meaning. */
export function StatusBadge({ status }: { status: string | null | undefined }) {
  if (!status) return null;
  const text = status.replace(/_/g, ' ');
  return <Badge tone={stateTones[status] ?? 'neutral'}>{text.charAt(0).toUpperCase() + text.slice(1)}</Badge>;
}

export function Card({
  title,
  actions,
  children,
  className,
  ...rest
}: { title?: ReactNode; actions?: ReactNode } & HTMLAttributes<HTMLElement>) {
  return (
    <section className={cx('rounded-lg border border-gray-200 bg-white shadow-sm', className)} {...rest}>
      {title || actions ? (
        <header className="flex flex-wrap items-center justify-between gap-2 border-b border-gray-200 px-4 py-3">
          {title ? <h2 className="text-base font-semibold">{title}</h2> : <span />}
          {actions ? <div className="flex flex-wrap gap-2">{actions}</div> : null}
        </header>
      ) : null}
      <div className="p-4">{children}</div>
    </section>
  );
}

export function EmptyState({
  title,
  description,
  action,
}: {
  title: ReactNode;
  description?: ReactNode;
  action?: ReactNode;
}) {
  return (
    <div className="flex flex-col items-center gap-2 px-4 py-12 text-center">
      <p className="text-base font-semibold text-gray-900">{title}</p>
      {description ? <p className="max-w-md text-sm text-gray-700">{description}</p> : null}
      {action ? <div className="mt-2">{action}</div> : null}
    </div>
  );
}

export function PageHeader({
  title,
  description,
  actions,
  back,
}: {
  title: ReactNode;
  description?: ReactNode;
  actions?: ReactNode;
  /** A link back (e.g. to the list), shown above the title. */
  back?: ReactNode;
}) {
  return (
    <header className="mb-5 flex flex-wrap items-end justify-between gap-3">
      <div className="min-w-0">
        {back ? <div className="mb-1 text-sm">{back}</div> : null}
        <h1 className="text-2xl font-semibold break-words text-gray-900">{title}</h1>
        {description ? <p className="mt-1 text-sm text-gray-700">{description}</p> : null}
      </div>
      {actions ? <div className="flex flex-wrap gap-2">{actions}</div> : null}
    </header>
  );
}
