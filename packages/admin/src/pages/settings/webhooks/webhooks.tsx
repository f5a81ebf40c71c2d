import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../../../api/client';
import { describeError } from '../../../api/errors';
import { useApiMutation } from '../../../api/mutation';
import { Can } from '../../../auth/Can';
import {
  Badge,
  Button,
  Card,
  Checkbox,
  ConfirmDialog,
  CursorPager,
  DateTime,
  Dialog,
  EmptyState,
  ErrorNotice,
  Field,
  FormDialog,
  Input,
  PageHeader,
  Select,
  Spinner,
  StatusBadge,
  Table,
  TBody,
  Td,
  THead,
  Th,
  Tr,
  useCursorStack,
  useToast,
} from '../../../components/ui';
import {
  type Delivery,
  type Endpoint,
  fetchDeliveries,
  fetchDelivery,
  fetchEndpoints,
  fetchEventTypes,
  webhookKeys,
} from './api';

const disabledReasons: Record<NonNullable<Endpoint['disabledReason']>, string> = {
  manual: 'disabled by hand',
  gone: 'the receiver answered 410 Gone',
  failing: 'every delivery failed for too long',
};

/**
 * Webhooks: the endpoints (disabled ones highlighted, with why), their event types, secret rotation (the new secret
 * shown once), a test ping, replay since a time, and the deliveries with status, attempts and the receiver's answer;
 * a delivery can be sent again.
 */
export default function WebhooksPage() {
  const [creating, setCreating] = useState(false);
  const [secret, setSecret] = useState<{ title: string; value: string } | undefined>(undefined);
  const [endpointFilter, setEndpointFilter] = useState<string | undefined>(undefined);
  const endpoints = useQuery({
    queryKey: webhookKeys.endpoints,
    queryFn: ({ signal }) => fetchEndpoints(signal),
    // Counts and last success/failure change while deliveries are being sent.
    refetchInterval: (q) => (q.state.data?.some((e) => e.pendingDeliveries > 0) ? 3000 : false),
  });

  return (
    <div className="space-y-5">
      <PageHeader
        title="Webhooks"
        description="Send the shop's events to your own services. Each request is signed with the endpoint's secret; failed deliveries are retried for about three days."
        actions={
          <Can permission="webhooks:manage">
            <Button variant="primary" onClick={() => setCreating(true)}>
              Add endpoint
            </Button>
          </Can>
        }
      />
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
              <EndpointItem
                key={e.id}
                endpoint={e}
                onSecret={(value) => setSecret({ title: 'New signing secret', value })}
                onShowDeliveries={() => setEndpointFilter(e.id)}
              />
            ))}
          </ul>
        )}
      </Card>
      <Deliveries endpoints={endpoints.data ?? []} endpointId={endpointFilter} onEndpointChange={setEndpointFilter} />
      {creating ? (
        <CreateEndpointDialog
          onClose={() => setCreating(false)}
          onCreated={(value) => {
            setCreating(false);
            setSecret({ title: 'Endpoint added', value });
          }}
        />
      ) : null}
      {secret ? <SecretDialog title={secret.title} secret={secret.value} onClose={() => setSecret(undefined)} /> : null}
    </div>
  );
}

function SecretDialog({ title, secret, onClose }: { title: string; secret: string; onClose: () => void }) {
  const toast = useToast();
  return (
    <Dialog
      open
      onOpenChange={(open) => {
        if (!open) onClose();
      }}
      title={title}
      description="Copy the signing secret now: it is not shown again. Your service checks each request's signature with it."
      footer={
        <>
          <Button
            onClick={() =>
              void navigator.clipboard
                .writeText(secret)
                .then(() => toast('Secret copied'))
                .catch(() => toast('Could not copy: select the secret and copy it', { tone: 'error' }))
            }
          >
            Copy
          </Button>
          <Button variant="primary" onClick={onClose}>
            Done
          </Button>
        </>
      }
    >
      <code data-testid="webhook-secret" className="block rounded bg-gray-100 p-3 text-sm break-all text-gray-900">
        {secret}
      </code>
    </Dialog>
  );
}

function EventTypePicker({ value, onChange }: { value: string[]; onChange: (types: string[]) => void }) {
  const types = useQuery({ queryKey: webhookKeys.eventTypes, queryFn: ({ signal }) => fetchEventTypes(signal) });
  if (types.isPending) return <Spinner label="Loading event types" />;
  if (types.isError) return <ErrorNotice error={describeError(types.error)} />;
  return (
    <fieldset className="space-y-1">
      <legend className="mb-1 text-sm font-medium text-gray-800">Event types</legend>
      <div className="max-h-64 space-y-1 overflow-y-auto rounded border border-gray-200 p-2">
        {types.data
          .filter((t) => t.type !== 'ping')
          .map((t) => (
            <div key={t.type} className="flex items-start gap-2 text-sm text-gray-900">
              <Checkbox
                id={`event-type-${t.type}`}
                checked={value.includes(t.type)}
                onChange={(ev) => onChange(ev.target.checked ? [...value, t.type] : value.filter((x) => x !== t.type))}
              />
              <label htmlFor={`event-type-${t.type}`} className="min-w-0">
                <code className="break-all">{t.type}</code>
                <span className="block text-xs text-gray-700">{t.description}</span>
              </label>
            </div>
          ))}
      </div>
    </fieldset>
  );
}

function CreateEndpointDialog({ onClose, onCreated }: { onClose: () => void; onCreated: (secret: string) => void }) {
  const [url, setUrl] = useState('');
  const [description, setDescription] = useState('');
  const [eventTypes, setEventTypes] = useState<string[]>([]);
  const create = useApiMutation({
    mutationFn: async (body: { url: string; description: string; eventTypes: string[] }, { idempotencyKey }) =>
      (await api.POST('/v1/admin/webhook-endpoints', { body, headers: { 'Idempotency-Key': idempotencyKey } })).data,
    invalidate: [webhookKeys.endpoints],
    onSuccess: (created) => onCreated(created.secret),
  });
  const error = create.error ? describeError(create.error) : undefined;
  return (
    <FormDialog
      title="Add endpoint"
      formId="webhook-endpoint-form"
      submitLabel="Add endpoint"
      pending={create.isPending}
      error={error}
      onClose={onClose}
      onSubmit={() => create.mutate({ url: url.trim(), description: description.trim(), eventTypes })}
    >
      <Field label="URL" name="url" required fieldErrors={error?.fieldErrors} hint="https:// address of your service">
        <Input type="url" value={url} onChange={(e) => setUrl(e.target.value)} autoComplete="off" />
      </Field>
      <Field label="Description" name="description" fieldErrors={error?.fieldErrors}>
        <Input value={description} onChange={(e) => setDescription(e.target.value)} />
      </Field>
      <EventTypePicker value={eventTypes} onChange={setEventTypes} />
      {error?.fieldErrors && (error.fieldErrors['/body/eventTypes'] ?? error.fieldErrors.eventTypes) ? (
        <p className="text-sm text-red-700">{error.fieldErrors['/body/eventTypes'] ?? error.fieldErrors.eventTypes}</p>
      ) : null}
    </FormDialog>
  );
}

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
      {editing ? <EditEndpointDialog endpoint={e} onClose={() => setEditing(false)} /> : null}
    </li>
  );
}

function EditEndpointDialog({ endpoint, onClose }: { endpoint: Endpoint; onClose: () => void }) {
  const toast = useToast();
  const [url, setUrl] = useState(endpoint.url);
  const [description, setDescription] = useState(endpoint.description);
  const [eventTypes, setEventTypes] = useState<string[]>(endpoint.eventTypes);
  const save = useApiMutation({
    mutationFn: async (body: { url: string; description: string; eventTypes: string[] }, { idempotencyKey }) =>
      (
        await api.PATCH('/v1/admin/webhook-endpoints/{id}', {
          params: { path: { id: endpoint.id }, header: { 'if-match': `"${endpoint.version}"` } },
          body,
          headers: { 'Idempotency-Key': idempotencyKey },
        })
      ).data,
    invalidate: [webhookKeys.endpoints],
    onSuccess: () => {
      toast('Endpoint saved');
      onClose();
    },
  });
  const error = save.error ? describeError(save.error) : undefined;
  return (
    <FormDialog
      title="Edit endpoint"
      formId="webhook-endpoint-edit"
      submitLabel="Save"
      pending={save.isPending}
      error={error}
      onClose={onClose}
      onSubmit={() => save.mutate({ url: url.trim(), description: description.trim(), eventTypes })}
    >
      <Field label="URL" name="url" required fieldErrors={error?.fieldErrors}>
        <Input type="url" value={url} onChange={(e) => setUrl(e.target.value)} autoComplete="off" />
      </Field>
      <Field label="Description" name="description" fieldErrors={error?.fieldErrors}>
        <Input value={description} onChange={(e) => setDescription(e.target.value)} />
      </Field>
      <EventTypePicker value={eventTypes} onChange={setEventTypes} />
    </FormDialog>
  );
}

/** `datetime-local` value for a time an hour ago (local time). */
function anHourAgo(): string {
  const d = new Date(Date.now() - 3_600_000);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

function ReplayDialog({ endpoint, onClose }: { endpoint: Endpoint; onClose: () => void }) {
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

const statusOptions = [
  { value: 'pending', label: 'Pending' },
  { value: 'delivered', label: 'Delivered' },
  { value: 'failed', label: 'Failed' },
];

function Deliveries({
  endpoints,
  endpointId,
  onEndpointChange,
}: {
  endpoints: Endpoint[];
  endpointId: string | undefined;
  onEndpointChange: (id: string | undefined) => void;
}) {
  const [status, setStatus] = useState<Delivery['status'] | undefined>(undefined);
  const [shown, setShown] = useState<string | undefined>(undefined);
  const pages = useCursorStack();
  const list = useQuery({
    queryKey: webhookKeys.deliveries(endpointId, status, pages.cursor),
    queryFn: ({ signal }) => fetchDeliveries(endpointId, status, pages.cursor, signal),
    placeholderData: keepPreviousData,
    // Pending deliveries change as the workers send them.
    refetchInterval: (q) => (q.state.data?.data.some((d) => d.status === 'pending') ? 2000 : false),
  });
  const urlOf = (id: string) => endpoints.find((e) => e.id === id)?.url ?? id;
  return (
    <Card title="Deliveries" data-testid="webhook-deliveries">
      <div className="mb-3 grid gap-3 sm:grid-cols-[minmax(0,24rem)_12rem]">
        <Field label="Endpoint" className="min-w-0">
          <Select
            className="w-full min-w-0"
            value={endpointId ?? ''}
            placeholder="All endpoints"
            options={endpoints.map((e) => ({ value: e.id, label: e.url }))}
            onChange={(ev) => {
              pages.reset();
              onEndpointChange(ev.target.value || undefined);
            }}
          />
        </Field>
        <Field label="Status">
          <Select
            value={status ?? ''}
            placeholder="Any"
            options={statusOptions}
            onChange={(ev) => {
              pages.reset();
              setStatus((ev.target.value || undefined) as Delivery['status'] | undefined);
            }}
          />
        </Field>
      </div>
      {list.isPending ? (
        <Spinner label="Loading deliveries" />
      ) : list.isError ? (
        <ErrorNotice error={describeError(list.error)} />
      ) : list.data.data.length === 0 ? (
        <EmptyState title="No deliveries" description="Events sent to the endpoints appear here." />
      ) : (
        <>
          <Table aria-label="Webhook deliveries">
            <THead>
              <Tr>
                <Th>Event</Th>
                <Th>Status</Th>
                <Th>Answer</Th>
                <Th>Attempts</Th>
                <Th>Created</Th>
                <Th>Actions</Th>
              </Tr>
            </THead>
            <TBody>
              {list.data.data.map((d) => (
                <Tr key={d.id} data-testid="webhook-delivery">
                  <Td>
                    <code className="text-xs">{d.eventType}</code>
                    {endpointId ? null : (
                      <span className="block max-w-xs truncate text-xs text-gray-700">{urlOf(d.endpointId)}</span>
                    )}
                  </Td>
                  <Td>
                    <StatusBadge status={d.status} />
                  </Td>
                  <Td>
                    {d.lastStatusCode !== null ? `HTTP ${d.lastStatusCode}` : (d.lastError ?? '—')}
                    {d.status === 'pending' && d.nextAttemptAt && d.attempts > 0 ? (
                      <span className="block text-xs text-gray-700">
                        Next try <DateTime value={d.nextAttemptAt} />
                      </span>
                    ) : null}
                  </Td>
                  <Td>{d.attempts}</Td>
                  <Td>
                    <DateTime value={d.createdAt} />
                  </Td>
                  <Td>
                    <div className="flex gap-2">
                      <Button size="sm" variant="ghost" onClick={() => setShown(d.id)}>
                        Details
                      </Button>
                      <Can permission="webhooks:manage">
                        <RedeliverButton delivery={d} />
                      </Can>
                    </div>
                  </Td>
                </Tr>
              ))}
            </TBody>
          </Table>
          <CursorPager
            className="mt-3"
            label="Deliveries pages"
            pages={pages}
            nextCursor={list.data.nextCursor}
            updating={list.isFetching}
          />
        </>
      )}
      {shown ? <DeliveryDialog id={shown} onClose={() => setShown(undefined)} /> : null}
    </Card>
  );
}

function RedeliverButton({ delivery }: { delivery: Delivery }) {
  const toast = useToast();
  const redeliver = useApiMutation<unknown, void>({
    mutationFn: async (_vars, { idempotencyKey }) =>
      (
        await api.POST('/v1/admin/webhook-deliveries/{id}/redeliver', {
          params: { path: { id: delivery.id } },
          headers: { 'Idempotency-Key': idempotencyKey },
        })
      ).data,
    invalidate: [webhookKeys.all],
    onSuccess: () => toast('Delivery queued again'),
    onError: (err) => toast('Could not redeliver', { description: describeError(err).title, tone: 'error' }),
  });
  return (
    <Button size="sm" onClick={() => redeliver.mutate()} loading={redeliver.isPending}>
      Redeliver
    </Button>
  );
}

function DeliveryDialog({ id, onClose }: { id: string; onClose: () => void }) {
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
