import { useId } from 'react';
import { api } from '../../api/client';
import { describeError } from '../../api/errors';
import { useApiMutation } from '../../api/mutation';
import { type Me, meQueryKey } from '../../api/session';
import { Card, Checkbox, ErrorNotice } from '../../components/ui';

/** The member's own opt-in to low-stock and back-in-stock emails (only offered with `inventory:read`). */
export function StockAlertsCard({ me }: { me: Me }) {
  const id = useId();
  const save = useApiMutation<Me, boolean>({
    mutationFn: async (stockAlerts, { idempotencyKey }) =>
      (await api.PATCH('/v1/admin/staff/me', { body: { stockAlerts }, headers: { 'Idempotency-Key': idempotencyKey } }))
        .data,
    invalidate: [meQueryKey],
  });
  const checked = save.isPending && save.variables !== undefined ? save.variables : me.stockAlerts;
  return (
    <Card title="Email notifications">
      {save.error ? <ErrorNotice error={describeError(save.error)} /> : null}
      <div className="flex items-start gap-2">
        <Checkbox
          id={id}
          className="mt-0.5"
          checked={checked}
          disabled={save.isPending}
          onChange={(e) => save.mutate(e.target.checked)}
        />
        <label htmlFor={id} className="text-sm text-gray-800">
          Email me when an item runs low or comes back in stock
        </label>
      </div>
    </Card>
  );
}
