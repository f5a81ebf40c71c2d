import { useState } from 'react';
import { api } from '../../../api/client';
import { describeError } from '../../../api/errors';
import { useApiMutation } from '../../../api/mutation';
import { Field, FormDialog, Input, useToast } from '../../../components/ui';
import { type Endpoint, webhookKeys } from './api';

/** `datetime-local` value for a time an hour ago (local time). */
function anHourAgo(): string {
  const d = new Date(Date.now() - 3_600_000);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** Sends again every event the endpoint subscribes to since a time (e.g. after the receiver was down). */
export function ReplayDialog({ endpoint, onClose }: { endpoint: Endpoint; onClose: () => void }) {
  const toast = useToast();
  const [since, setSince] = useState(anHourAgo());
  const replay = useApiMutation({
    mutationFn: async (at: string, { idempotencyKey }) =>
      (
        await api.POST('/v1/admin/webhook-endpoints/{id}/replay', {
          params: { path: { id: endpoint.id } },
          body: { since: new Date(at).toISOString() },
          headers: { 'Idempotency-Key': idempotencyKey },
        })
      ).data,
    invalidate: [webhookKeys.all],
    onSuccess: (r) => {
      toast(`${r.queued} event${r.queued === 1 ? '' : 's'} queued again`);
      onClose();
    },
  });
  const error = replay.error ? describeError(replay.error) : undefined;
  return (
    <FormDialog
      title="Replay events"
      formId="webhook-replay"
      submitLabel="Replay"
      pending={replay.isPending}
      error={error}
      onClose={onClose}
      onSubmit={() => replay.mutate(since)}
    >
      <p className="text-sm text-gray-700">
        Every event this endpoint subscribes to since the time below is sent again (for example after your service was
        down). Your service should ignore events it already handled.
      </p>
      <Field label="Since" name="since" required fieldErrors={error?.fieldErrors}>
        <Input type="datetime-local" value={since} onChange={(e) => setSince(e.target.value)} />
      </Field>
    </FormDialog>
  );
}
