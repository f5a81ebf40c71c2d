import type { ReactNode } from 'react';
import type { DescribedError } from '../../api/errors';
import { Button } from './Button';

/** A failed call: title, detail and the request id to quote when reporting it. */
export function ErrorNotice({ error, action }: { error: DescribedError; action?: ReactNode }) {
  return (
    <div role="alert" className="rounded-md border border-red-200 bg-red-50 p-3 text-sm text-red-900">
      <p className="font-semibold">{error.title}</p>
      {error.detail ? <p className="mt-1">{error.detail}</p> : null}
      {error.requestId ? <p className="mt-1 text-xs text-red-800">Request id: {error.requestId}</p> : null}
      {action ? <div className="mt-2">{action}</div> : null}
    </div>
  );
}

/** A 412: someone else saved first. Offer a reload; never overwrite their change. */
export function ConflictNotice({ onReload, detail }: { onReload: () => void; detail?: string | undefined }) {
  return (
    <div role="alert" className="rounded-md border border-amber-300 bg-amber-50 p-3 text-sm text-amber-950">
      <p className="font-semibold">Changed by someone else — reload</p>
      <p className="mt-1">
        {detail ??
          'This was changed after you opened it. Reload to see the current version, then make your change again.'}
      </p>
      <Button className="mt-2" size="sm" onClick={onReload}>
        Reload
      </Button>
    </div>
  );
}
