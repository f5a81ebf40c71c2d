import type { paths } from '@backroom/client';
import { useQuery } from '@tanstack/react-query';
import { api } from '../../../api/client';
import { describeError } from '../../../api/errors';
import { useApiMutation } from '../../../api/mutation';
import { Can } from '../../../auth/Can';
import {
  Badge,
  Button,
  Card,
  DateTime,
  EmptyState,
  ErrorNotice,
  PageHeader,
  Spinner,
  type Tone,
  useToast,
} from '../../../components/ui';
import { WorkerRuns } from './WorkerRuns';

type OutboxEvent = paths['/v1/admin/events']['get']['responses']['200']['content']['application/json']['data'][number];
type Ready = paths['/health/ready']['get']['responses']['200']['content']['application/json'];
type Check = Ready['checks']['database'];

const BACKLOG_PAGE = 100;

const checkTone: Record<Check['status'], Tone> = { up: 'success', down: 'danger', disabled: 'neutral' };
const overallTone: Record<Ready['status'], Tone> = { ok: 'success', degraded: 'warning', unavailable: 'danger' };

const systemKeys = {
  health: ['system', 'health'] as const,
  backlog: ['system', 'events', 'pending'] as const,
  dead: ['system', 'events', 'dead'] as const,
};

/**
 * System: database, migrations and Redis health; the outbox's backlog; the workers' last runs; dead events, which
 * can be retried; the settings from the environment.
 */
export default function SystemPage() {
  return (
    <div className="space-y-5">
      <PageHeader
        title="System"
        description="The health of the shop's services and of its event outbox (the queue that feeds webhooks, emails and the search index)."
      />
      <div className="grid gap-5 lg:grid-cols-2">
        <Health />
        <Backlog />
      </div>
      <WorkerRuns />
      <DeadEvents />
      <Can permission="settings:manage">
        <EnvSettings />
      </Can>
    </div>
  );
}

function Health() {
  const health = useQuery({
    queryKey: systemKeys.health,
    queryFn: async ({ signal }) => (await api.GET('/health/ready', { signal })).data,
    refetchInterval: 15_000,
  });
  return (
    <Card title="Health" data-testid="system-health">
      {health.isPending ? (
        <Spinner label="Checking" />
      ) : health.isError ? (
        <ErrorNotice error={describeError(health.error)} />
      ) : (
        <div className="space-y-3 text-sm">
          <p>
            Overall:{' '}
            <Badge tone={overallTone[health.data.status]}>
              {health.data.status === 'ok' ? 'OK' : health.data.status}
            </Badge>
          </p>
          <dl className="divide-y divide-gray-100">
            {(
              [
                ['Database', health.data.checks.database],
                ['Migrations', health.data.checks.migrations],
                ['Redis', health.data.checks.redis],
              ] as const
            ).map(([name, check]) => (
              <div key={name} className="flex flex-wrap items-center justify-between gap-2 py-2">
                <dt className="font-medium text-gray-800">{name}</dt>
                <dd className="flex flex-wrap items-center gap-2">
                  <Badge tone={checkTone[check.status]}>
                    {check.status === 'up' ? 'Up' : check.status === 'down' ? 'Down' : 'Not configured'}
                  </Badge>
                  {check.latencyMs !== undefined ? <span className="text-gray-700">{check.latencyMs} ms</span> : null}
                  {check.detail ? <span className="break-words text-gray-700">{check.detail}</span> : null}
                  {check.pending?.length ? (
                    <span className="text-gray-700">pending: {check.pending.join(', ')}</span>
                  ) : null}
                </dd>
              </div>
            ))}
          </dl>
        </div>
      )}
    </Card>
  );
}

function Backlog() {
  const backlog = useQuery({
    queryKey: systemKeys.backlog,
    queryFn: async ({ signal }) =>
      (
        await api.GET('/v1/admin/events', {
          params: { query: { status: 'pending', order: 'asc', limit: BACKLOG_PAGE } },
          signal,
        })
      ).data,
    refetchInterval: 10_000,
  });
  const oldest = backlog.data?.data[0];
  const count = backlog.data?.data.length ?? 0;
  return (
    <Card title="Outbox backlog" data-testid="system-backlog">
      {backlog.isPending ? (
        <Spinner label="Loading the backlog" />
      ) : backlog.isError ? (
        <ErrorNotice error={describeError(backlog.error)} />
      ) : (
        <div className="space-y-2 text-sm">
          <p className="text-2xl font-semibold text-gray-900">
            {backlog.data.nextCursor ? `${BACKLOG_PAGE}+` : count}
            <span className="ml-2 text-sm font-normal text-gray-700">events waiting to be handled</span>
          </p>
          {oldest ? (
            <p className="text-gray-700">
              Oldest: <code>{oldest.type}</code>, created <DateTime value={oldest.createdAt} />
              {oldest.attempts > 0 ? `, ${oldest.attempts} attempts` : ''}
              {oldest.lastError ? ` — ${oldest.lastError}` : ''}
            </p>
          ) : (
            <p className="text-gray-700">Nothing waiting: the workers are keeping up.</p>
          )}
        </div>
      )}
    </Card>
  );
}

function DeadEvents() {
  const dead = useQuery({
    queryKey: systemKeys.dead,
    queryFn: async ({ signal }) =>
      (await api.GET('/v1/admin/events', { params: { query: { status: 'dead', order: 'desc', limit: 50 } }, signal }))
        .data,
  });
  return (
    <Card title="Dead events" data-testid="system-dead-events">
      <p className="mb-3 text-sm text-gray-700">
        Events a worker gave up on after its retries. Fix the cause (the error says what failed), then retry: the event
        is handled again with a fresh set of attempts.
      </p>
      {dead.isPending ? (
        <Spinner label="Loading dead events" />
      ) : dead.isError ? (
        <ErrorNotice error={describeError(dead.error)} />
      ) : dead.data.data.length === 0 ? (
        <EmptyState title="No dead events" description="Every event was handled." />
      ) : (
        <ul className="divide-y divide-gray-100">
          {dead.data.data.map((e) => (
            <DeadEvent key={e.id} event={e} />
          ))}
        </ul>
      )}
    </Card>
  );
}

function EnvSettings() {
  const list = useQuery({
    queryKey: ['system', 'settings'],
    queryFn: async ({ signal }) => (await api.GET('/v1/admin/system/settings', { signal })).data,
  });
  return (
    <Card title="Settings from the environment" data-testid="system-settings">
      <p className="mb-3 text-sm text-gray-700">
        Read-only: these come from environment variables when the server starts (change them where the server is
        deployed, then restart). Secrets are only shown as set or not set.
        {list.data ? (
          <>
            {' '}
            Version <strong className="text-gray-900">{list.data.version}</strong>.
          </>
        ) : null}
      </p>
      {list.isPending ? (
        <Spinner label="Loading settings" />
      ) : list.isError ? (
        <ErrorNotice error={describeError(list.error)} />
      ) : (
        <dl className="divide-y divide-gray-100 text-sm">
          {list.data.data.map((s) => (
            <div
              key={s.name}
              data-testid="env-setting"
              className="grid gap-1 py-2 md:grid-cols-[minmax(0,18rem)_minmax(0,1fr)]"
            >
              <dt className="min-w-0">
                <code className="font-medium break-all text-gray-900">{s.name}</code>{' '}
                <Badge tone={s.source === 'env' ? 'info' : 'neutral'}>
                  {s.source === 'env' ? 'environment' : s.source === 'default' ? 'default' : 'not set'}
                </Badge>
              </dt>
              <dd className="min-w-0">
                <p className="break-all text-gray-900">
                  {s.secret ? (
                    <Badge tone={s.set ? 'success' : 'neutral'}>{s.set ? 'Secret set' : 'Secret not set'}</Badge>
                  ) : (
                    <code>{s.value ?? '—'}</code>
                  )}
                </p>
                <p className="text-xs text-gray-700">{s.description}</p>
              </dd>
            </div>
          ))}
        </dl>
      )}
    </Card>
  );
}

function DeadEvent({ event }: { event: OutboxEvent }) {
  const toast = useToast();
  const retry = useApiMutation<unknown, void>({
    mutationFn: async (_vars, { idempotencyKey }) =>
      (
        await api.POST('/v1/admin/events/{id}/retry', {
          params: { path: { id: event.id } },
          headers: { 'Idempotency-Key': idempotencyKey },
        })
      ).data,
    invalidate: [['system', 'events']],
    onSuccess: () => toast('Event queued again'),
    onError: (err) => toast('Could not retry the event', { description: describeError(err).title, tone: 'error' }),
  });
  return (
    <li data-testid="dead-event" className="flex flex-wrap items-start justify-between gap-3 py-3 text-sm">
      <div className="min-w-0 flex-1">
        <p>
          <code className="font-medium">{event.type}</code>{' '}
          {event.aggregateId ? <code className="break-all text-gray-700">{event.aggregateId}</code> : null}
        </p>
        <p className="text-gray-700">
          Created <DateTime value={event.createdAt} /> · {event.attempts} attempt{event.attempts === 1 ? '' : 's'}
        </p>
        {event.lastError ? <p className="mt-1 break-words text-red-800">{event.lastError}</p> : null}
      </div>
      <Can permission="events:manage">
        <Button size="sm" onClick={() => retry.mutate()} loading={retry.isPending}>
          Retry
        </Button>
      </Can>
    </li>
  );
}
