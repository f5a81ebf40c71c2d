import { Link } from '@tanstack/react-router';
import { Card, DateTime, EmptyState } from '../../components/ui';
import type { ActivityLine } from './api';

/** The newest business events the member may see, newest first, each a link to the admin page the API names. */
export function ActivityCard({ lines }: { lines: ActivityLine[] }) {
  return (
    <Card title="Recent activity">
      {lines.length === 0 ? (
        <EmptyState title="Nothing has happened yet" description="Orders, stock changes and new customers show here." />
      ) : (
        <ol className="-my-2 divide-y divide-gray-100" data-testid="activity">
          {lines.map((l) => (
            <li
              key={l.id}
              className="flex flex-col gap-0.5 py-2 text-sm sm:flex-row sm:items-baseline sm:justify-between sm:gap-4"
            >
              <Link to={l.resource.path} className="break-words text-accent-700 underline">
                {l.description}
              </Link>
              <span className="shrink-0 text-xs text-gray-700">
                <DateTime value={l.at} />
              </span>
            </li>
          ))}
        </ol>
      )}
    </Card>
  );
}
