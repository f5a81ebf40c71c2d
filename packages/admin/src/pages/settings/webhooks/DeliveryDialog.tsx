import { useQuery } from '@tanstack/react-query';
import { describeError } from '../../../api/errors';
import { Button, DateTime, Dialog, ErrorNotice, Spinner, StatusBadge } from '../../../components/ui';
import { fetchDelivery, webhookKeys } from './api';

/** One delivery: every attempt with the receiver's answer, and the body that was sent. */
export function DeliveryDialog({ id, onClose }: { id: string; onClose: () => void }) {
  const detail = useQuery({ queryKey: webhookKeys.delivery(id), queryFn: ({ signal }) => fetchDelivery(id, signal) });
  return (
    <Dialog
      open
      wide
      onOpenChange={(open) => {
        if (!open) onClose();
      }}
      title="Delivery"
      footer={<Button onClick={onClose}>Close</Button>}
    >
      {detail.isPending ? (
        <Spinner label="Loading the delivery" />
      ) : detail.isError ? (
        <ErrorNotice error={describeError(detail.error)} />
      ) : (
        <div className="space-y-3 text-sm">
          <p>
            <code>{detail.data.eventType}</code> <StatusBadge status={detail.data.status} />
          </p>
          <h3 className="font-semibold">Attempts</h3>
          {detail.data.attemptLog.length === 0 ? (
            <p className="text-gray-700">Not sent yet.</p>
          ) : (
            <ol className="space-y-2">
              {detail.data.attemptLog.map((a) => (
                <li key={a.attempt} className="rounded border border-gray-200 p-2" data-testid="delivery-attempt">
                  <p>
                    #{a.attempt} · <DateTime value={a.startedAt} /> ·{' '}
                    {a.statusCode !== null ? `HTTP ${a.statusCode}` : (a.error ?? 'no answer')} · {a.durationMs} ms
                  </p>
                  {a.responseExcerpt ? (
                    <pre className="mt-1 max-h-32 overflow-auto rounded bg-gray-100 p-2 text-xs whitespace-pre-wrap break-all">
                      {a.responseExcerpt}
                    </pre>
                  ) : null}
                </li>
              ))}
            </ol>
          )}
          <h3 className="font-semibold">Body sent</h3>
          <pre className="max-h-64 overflow-auto rounded bg-gray-100 p-2 text-xs whitespace-pre-wrap break-all">
            {detail.data.body}
          </pre>
        </div>
      )}
    </Dialog>
  );
}
