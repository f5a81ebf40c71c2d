import { describeError } from '../../api/errors';
import { useCan } from '../../auth/Can';
import { Button, ErrorNotice, PageHeader, Spinner } from '../../components/ui';
import { ActivityCard } from './ActivityCard';
import { type Dashboard, useDashboard } from './api';
import { BacklogCards } from './BacklogCards';
import { LiveBadge } from './LiveBadge';
import { LowStockCard } from './LowStockCard';
import { useLiveDashboard } from './live';
import { SalesCards } from './SalesCards';

function DashboardBody({ data }: { data: Dashboard }) {
  return (
    <div className="space-y-4">
      <div className="grid grid-cols-1 gap-4 sm:grid-cols-2 xl:grid-cols-4">
        <SalesCards rows={data.sales} today={data.today} />
        <BacklogCards data={data} />
      </div>
      <div className="grid grid-cols-1 gap-4 lg:grid-cols-5">
        <div className={data.lowStock ? 'lg:col-span-3' : 'lg:col-span-5'}>
          <ActivityCard lines={data.activity} />
        </div>
        {data.lowStock ? (
          <div className="lg:col-span-2">
            <LowStockCard low={data.lowStock} />
          </div>
        ) : null}
      </div>
    </div>
  );
}

const dayFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'full', timeZone: 'UTC' });

/**
 * `/`: the shop's day at a glance — today's orders and sales per currency against yesterday, orders waiting for
 * capture or fulfilment (each opening the orders list filtered to them), low stock (inventory readers) and recent
 * activity. Numbers update live from the dashboard stream; nothing is computed here.
 */
export default function HomePage() {
  const canReadOrders = useCan('orders:read');
  if (!canReadOrders) {
    return (
      <>
        <PageHeader title="Home" />
        <p className="text-sm text-gray-700">Your role cannot see orders, so the shop's numbers are not shown here.</p>
      </>
    );
  }
  return <LiveHome />;
}

/** The dashboard and its stream (both need `orders:read`, so they are not even asked for without it). */
function LiveHome() {
  const query = useDashboard();
  const live = useLiveDashboard();
  const data = query.data;

  return (
    <>
      <PageHeader
        title="Home"
        description={
          data
            ? `${dayFormat.format(new Date(`${data.today}T00:00:00Z`))} · shop time zone ${data.timeZone}`
            : 'Today in your shop'
        }
        actions={<LiveBadge state={live} />}
      />
      {query.isPending ? (
        <div className="flex justify-center py-12">
          <Spinner label="Loading the dashboard" />
        </div>
      ) : query.isError ? (
        <ErrorNotice
          error={describeError(query.error)}
          action={
            <Button size="sm" onClick={() => void query.refetch()}>
              Try again
            </Button>
          }
        />
      ) : (
        <DashboardBody data={query.data} />
      )}
    </>
  );
}
