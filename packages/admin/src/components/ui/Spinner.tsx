import { cx } from './cx';

/** A small spinning ring; `label` is read by screen readers (empty when the spinner sits inside a labelled button). */
export function Spinner({ label = 'Loading', className }: { label?: string; className?: string }) {
  return (
    <span role={label ? 'status' : undefined} className={cx('inline-flex items-center gap-2', className)}>
      <span
        aria-hidden="true"
        className="size-4 animate-spin rounded-full border-2 border-gray-300 border-t-accent-600"
      />
      {label ? <span className="sr-only">{label}</span> : null}
    </span>
  );
}
