import type { paths } from '@backroom/client';
import { useQuery } from '@tanstack/react-query';
import { api } from '../../../api/client';
import { describeError } from '../../../api/errors';
import { Badge, Card, DateTime, EmptyState, ErrorNotice, Spinner, type Tone } from '../../../components/ui';

type WorkerRun =
  paths['/v1/admin/system/workers']['get']['responses']['200']['content']['application/json']['data'][number];

/** What each background loop does, in the owner's words (unknown names are shown as they are). */
const loops: Record<string, string> = {
  'outbox-relay': 'Event relay (emails, search index, stock alerts)',
  'webhook-delivery': 'Outbound webhooks',
  'webhook-inbox': 'Gateway webhooks received (Stripe, PayPal)',
  'payment-reconcile': 'Unfinished payment calls and checkouts',
  'gateway-reconcile': 'Reconciliation with the gateways',
  'hold-expiry': 'Expired cart holds released',
  imports: 'CSV imports',
  maintenance: 'Clean-up of expired keys and history',
};

const stateTone: Record<WorkerRun['state'], Tone> = { ok: 'success', failing: 'danger', late: 'warning' };
const stateLabel: Record<WorkerRun['state'], string> = { ok: 'Running', failing: 'Failing', late: 'Late' };

function every(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${Math.round(ms / 1000)} s`;
  if (ms < 3_600_000) return `${Math.round(ms / 60_000)} min`;
  return `${Math.round(ms / 3_600_000)} h`;
}

/**
 * The workers' last runs: each background loop of each worker process, when it last ran and last succeeded, and its
 * last error. "Late" means no round for three intervals: the loop is stuck, or its process stopped without saying so.
 */
export function WorkerRuns() {
  const runs = useQuery({
    queryKey: ['system', 'workers'],
    queryFn: async ({ signal }) => (await api.GET('/v1/admin/system/workers', { signal })).data,
    refetchInterval: 10_000,
  });
  return (
    <Card title="Workers' last runs" data-testid="system-workers">
      <p className="mb-3 text-sm text-gray-700">
        The background loops of each worker process. A loop that is failing or late needs a look at that process's log.
      </p>
      {runs.isPending ? (
        <Spinner label="Loading the workers' runs" />
      ) : runs.isError ? (
        <ErrorNotice error={describeError(runs.error)} />
      ) : runs.data.data.length === 0 ? (
        <EmptyState
          title="No worker has run yet"
          description="Start a worker (backroom worker, or serve with BACKROOM_WORKERS on): events, webhooks and imports wait until one runs."
        />
      ) : (
        <ul className="divide-y divide-gray-100 text-sm">
          {runs.data.data.map((r) => (
            <li key={`${r.name} ${r.node}`} data-testid="worker-run" className="py-3">
              <div className="flex flex-wrap items-center justify-between gap-2">
                <p className="min-w-0">
                  <span className="font-medium text-gray-900">{loops[r.name] ?? r.name}</span>{' '}
                  <code className="break-all text-xs text-gray-700">{r.name}</code>
                </p>
                <Badge tone={stateTone[r.state]}>{stateLabel[r.state]}</Badge>
              </div>
              <p className="text-gray-700">
                Last run <DateTime value={r.finishedAt} /> ({r.durationMs} ms), every {every(r.intervalMs)} ·{' '}
                {r.lastOkAt ? (
                  <>
                    last success <DateTime value={r.lastOkAt} />
                  </>
                ) : (
                  'no success yet'
                )}{' '}
                · {r.rounds} rounds, {r.failures} failed
              </p>
              <p className="text-xs break-all text-gray-700">Process {r.node}</p>
              {r.lastError ? (
                <p className={`mt-1 break-words ${r.state === 'failing' ? 'text-red-800' : 'text-gray-700'}`}>
                  Last error{r.lastErrorAt ? ' ' : ''}
                  {r.lastErrorAt ? <DateTime value={r.lastErrorAt} /> : null}: {r.lastError}
                </p>
              ) : null}
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}
