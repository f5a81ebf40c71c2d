import type { DescribedError } from '../../../api/errors';
import { ErrorNotice } from '../../../components/ui';
import { refusalReason } from './api';

/** A failed team action: the server's problem (title and detail) and, for the anti-escalation rules, why. */
export function RefusalNotice({ error }: { error: DescribedError }) {
  const why = refusalReason(error);
  return (
    <div className="space-y-2">
      <ErrorNotice error={error} />
      {why ? (
        <p className="text-sm text-gray-800">
          <strong>Why:</strong> {why}
        </p>
      ) : null}
    </div>
  );
}
