import { useState } from 'react';
import { describeError } from '../api/errors';
import { Button, ConfirmDialog, useToast } from './ui';

export interface BulkAction<T> {
  label: string;
  /** Hidden unless the member has it (the server still checks). */
  permission?: string;
  danger?: boolean;
  /** Ask first (destructive actions). */
  confirm?: { title: string; description?: string };
  /**
   * Does the work; the list's queries are invalidated afterwards. Use an Idempotency-Key per call. Resolve `false`
   * when nothing was done (e.g. the member cancelled a dialog): no toast, no refetch.
   */
  run: (rows: T[]) => Promise<unknown>;
}

/** Above the rows while some are selected: how many, the actions the member may run, and "Clear selection". */
export function ListBulkBar<T>({
  actions,
  count,
  onRun,
  onClear,
}: {
  actions: BulkAction<T>[];
  count: number;
  onRun: (action: BulkAction<T>) => Promise<void>;
  onClear: () => void;
}) {
  return (
    <div className="flex flex-wrap items-center gap-2 border-b border-gray-200 bg-accent-50 px-3 py-2 text-sm">
      <span className="font-medium text-gray-900">{count} selected</span>
      {actions.map((a) => (
        <BulkButton key={a.label} action={a} count={count} onRun={() => onRun(a)} />
      ))}
      <Button variant="ghost" size="sm" onClick={onClear}>
        Clear selection
      </Button>
    </div>
  );
}

function BulkButton<T>({ action, count, onRun }: { action: BulkAction<T>; count: number; onRun: () => Promise<void> }) {
  const toast = useToast();
  const [busy, setBusy] = useState(false);
  if (action.confirm) {
    return (
      <ConfirmDialog
        trigger={
          <Button size="sm" variant={action.danger ? 'danger' : 'secondary'}>
            {action.label}
          </Button>
        }
        title={action.confirm.title}
        description={action.confirm.description ?? `${count} selected.`}
        confirmLabel={action.label}
        variant={action.danger ? 'danger' : 'primary'}
        onConfirm={onRun}
      />
    );
  }
  return (
    <Button
      size="sm"
      variant={action.danger ? 'danger' : 'secondary'}
      loading={busy}
      onClick={async () => {
        setBusy(true);
        try {
          await onRun();
        } catch (err) {
          toast(describeError(err).title, { tone: 'error' });
        } finally {
          setBusy(false);
        }
      }}
    >
      {action.label}
    </Button>
  );
}
