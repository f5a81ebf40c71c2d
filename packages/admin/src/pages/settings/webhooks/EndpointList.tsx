import type { UseQueryResult } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../../../api/client';
import { describeError } from '../../../api/errors';
import { useApiMutation } from '../../../api/mutation';
import { Can } from '../../../auth/Can';
import {
  Badge,
  Button,
  Card,
  ConfirmDialog,
  DateTime,
  EmptyState,
  ErrorNotice,
  Spinner,
  useToast,
} from '../../../components/ui';
import { type Endpoint, webhookKeys } from './api';
import { EndpointDialog } from './EndpointDialog';
import { ReplayDialog } from './ReplayDialog';

const disabledReasons: Record<NonNullable<Endpoint['disabledReason']>, string> = {
  manual: 'disabled by hand',
  gone: 'the receiver answered 410 Gone',
  failing: 'every delivery failed for too long',
};

/** The endpoints, each with its state, counts, event types and actions. */
export function EndpointList({
  endpoints,
  onSecret,
  onShowDeliveries,
}: {
  endpoints: UseQueryResult<Endpoint[]>;
  onSecret: (secret: string) => void;
  onShowDeliveries: (endpointId: string) => void;
}) {
  return (
    <Card title="Endpoints">
      {endpoints.isPending ? (
        <Spinner label="Loading endpoints" />
      ) : endpoints.isError ? (
        <ErrorNotice error={describeError(endpoints.error)} />
      ) : endpoints.data.length === 0 ? (
        <EmptyState title="No endpoints yet" description="Add the URL of a service that should receive events." />
      ) : (
        <ul className="space-y-3">
          {endpoints.data.map((e) => (
            <EndpointItem key={e.id} endpoint={e} onSecret={onSecret} onShowDeliveries={() => onShowDeliveries(e.id)} />
          ))}
        </ul>
      )}
    </Card>
  );
}

/** One endpoint: disabled ones highlighted, with why. */
function EndpointItem({
  endpoint: e,
  onSecret,
  onShowDeliveries,
}: {
  endpoint: Endpoint;
  onSecret: (secret: string) => void;
  onShowDeliveries: () => void;
}) {
  const toast = useToast();
  const [replaying, setReplaying] = useState(false);
  const [editing, setEditing] = useState(false);
  const invalidate = [webhookKeys.endpoints, webhookKeys.all];
  const ping = useApiMutation<unknown, void>({
    mutationFn: async (_vars, { idempotencyKey }) =>
      (
        await api.POST('/v1/admin/webhook-endpoints/{id}/test', {
          params: { path: { id: e.id } },
          headers: { 'Idempotency-Key': idempotencyKey },
        })
      ).data,
    invalidate,
    onSuccess: () => {
      toast('Test event queued', { description: 'It appears in the deliveries below.' });
      onShowDeliveries();
    },
    onError: (err) => toast('Could not send the test event', { description: describeError(err).title, tone: 'error' }),
  });
  const setEnabled = useApiMutation({
    mutationFn: async (enabled: boolean, { idempotencyKey }) =>
      (
        await api.PATCH('/v1/admin/webhook-endpoints/{id}', {
          params: { path: { id: e.id }, header: { 'if-match': `"${e.version}"` } },
          body: { enabled },
          headers: { 'Idempotency-Key': idempotencyKey },
        })
      ).data,
    invalidate,
    onSuccess: (r) => toast(r.enabled ? 'Endpoint enabled' : 'Endpoint disabled'),
    onError: (err) => toast('Could not change the endpoint', { description: describeError(err).title, tone: 'error' }),
  });
  const rotate = useApiMutation<{ secret: string }, void>({
    mutationFn: async (_vars, { idempotencyKey }) =>
      (
        await api.POST('/v1/admin/webhook-endpoints/{id}/rotate-secret', {
          params: { path: { id: e.id } },
          body: {},
          headers: { 'Idempotency-Key': idempotencyKey },
        })
      ).data,
    invalidate,
    onSuccess: (r) => onSecret(r.secret),
  });
  const remove = useApiMutation<unknown, void>({
    mutationFn: async (_vars, { idempotencyKey }) =>
      (
        await api.DELETE('/v1/admin/webhook-endpoints/{id}', {
          params: { path: { id: e.id }, header: { 'if-match': `"${e.version}"` } },
          headers: { 'Idempotency-Key': idempotencyKey },
        })
      ).data,
    invalidate,
    onSuccess: () => toast('Endpoint deleted'),
  });
  const disabled = !e.enabled;
  return (
    <li
      data-testid="webhook-endpoint"
      className={`rounded-md border p-3 ${disabled ? 'border-red-300 bg-red-50' : 'border-gray-200'}`}
    >
      <div className="flex flex-wrap items-start justify-between gap-2">
        <div className="min-w-0">
          <p className="font-medium break-all text-gray-900">{e.url}</p>
          {e.description ? <p className="text-sm text-gray-700">{e.description}</p> : null}
        </div>
        {disabled ? (
          <Badge tone="danger">Disabled{e.disabledReason ? ` — ${disabledReasons[e.disabledReason]}` : ''}</Badge>
        ) : e.failingSince ? (
          <Badge tone="warning">Failing</Badge>
        ) : (
          <Badge tone="success">Enabled</Badge>
        )}
      </div>
      <dl className="mt-2 grid gap-x-4 gap-y-1 text-sm sm:grid-cols-2 lg:grid-cols-4">
        <div>
          <dt className="inline text-gray-700">Last success: </dt>
          <dd className="inline">
            <DateTime value={e.lastSuccessAt} />
          </dd>
        </div>
        <div>
          <dt className="inline text-gray-700">Last failure: </dt>
          <dd className="inline">
            <DateTime value={e.lastFailureAt} />
          </dd>
        </div>
        <div>
          <dt className="inline text-gray-700">Pending: </dt>
          <dd className="inline">{e.pendingDeliveries}</dd>
        </div>
        <div>
          <dt className="inline text-gray-700">Failed: </dt>
          <dd className="inline">{e.failedDeliveries}</dd>
        </div>
      </dl>
      <p className="mt-2 text-sm text-gray-700">
        Events: <span className="break-words text-gray-900">{e.eventTypes.join(', ') || 'none'}</span>
      </p>
      {e.previousSecretExpiresAt ? (
        <p className="mt-1 text-sm text-gray-700">
          The previous secret still signs requests until <DateTime value={e.previousSecretExpiresAt} />.
        </p>
      ) : null}
      <Can permission="webhooks:manage">
        <div className="mt-3 flex flex-wrap gap-2">
          <Button size="sm" onClick={() => ping.mutate()} loading={ping.isPending} disabled={disabled}>
            Send test event
          </Button>
          <Button size="sm" variant="ghost" onClick={onShowDeliveries}>
            Deliveries
          </Button>
          <Button size="sm" variant="ghost" onClick={() => setEditing(true)}>
            Edit
          </Button>
          <Button size="sm" variant="ghost" onClick={() => setReplaying(true)}>
            Replay…
          </Button>
          <ConfirmDialog
            trigger={
              <Button size="sm" variant="ghost">
                Rotate secret
              </Button>
            }
            title="Rotate the signing secret?"
            description="A new secret is made. The old one keeps signing requests (as a second signature) for the overlap period, so your service can switch without missing events."
            confirmLabel="Rotate"
            variant="primary"
            onConfirm={() => rotate.mutateAsync()}
          />
          {disabled ? (
            <Button size="sm" onClick={() => setEnabled.mutate(true)} loading={setEnabled.isPending}>
              Enable
            </Button>
          ) : (
            <Button size="sm" variant="ghost" onClick={() => setEnabled.mutate(false)} loading={setEnabled.isPending}>
              Disable
            </Button>
          )}
          <ConfirmDialog
            trigger={
              <Button size="sm" variant="danger">
                Delete
              </Button>
            }
            title="Delete this endpoint?"
            description="No more events are sent to it; its deliveries are deleted."
            confirmLabel="Delete"
            onConfirm={() => remove.mutateAsync()}
          />
        </div>
      </Can>
      {replaying ? <ReplayDialog endpoint={e} onClose={() => setReplaying(false)} /> : null}
      {editing ? <EndpointDialog endpoint={e} onClose={() => setEditing(false)} /> : null}
    </li>
  );
}
