import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../../../api/client';
import { describeError } from '../../../api/errors';
import { useApiMutation } from '../../../api/mutation';
import { Can } from '../../../auth/Can';
import {
  Button,
  Card,
  CursorPager,
  DateTime,
  EmptyState,
  ErrorNotice,
  Field,
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
import { type Delivery, type Endpoint, fetchDeliveries, webhookKeys } from './api';
import { DeliveryDialog } from './DeliveryDialog';

const statusOptions = [
  { value: 'pending', label: 'Pending' },
  { value: 'delivered', label: 'Delivered' },
  { value: 'failed', label: 'Failed' },
];

/** The deliveries, filtered by endpoint and status, each with its answer, attempts and a redeliver button. */
export function Deliveries({
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
