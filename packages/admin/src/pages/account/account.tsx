import { useSession } from '../../api/session';
import { Badge, Button, Card, PageHeader } from '../../components/ui';
import { ChangePasswordCard } from './ChangePasswordCard';
import { MfaCard } from './MfaCard';
import { SecurityCard } from './SecurityCard';
import { StockAlertsCard } from './StockAlertsCard';

/** The signed-in member: who they are, their role and permissions, password, two-factor status, sign out. */
export default function AccountPage() {
  const session = useSession();
  const me = session.me;
  if (!me) return null;
  const permissions = [...me.permissions].sort();

  return (
    <div>
      <PageHeader
        title="Your account"
        description={me.name ? `${me.name} · ${me.email}` : me.email}
        actions={
          <Button variant="secondary" onClick={() => void session.signOut()}>
            Sign out
          </Button>
        }
      />
      <div className="grid items-start gap-5 lg:grid-cols-2">
        <Card title="Profile">
          <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-2 text-sm">
            <dt className="text-gray-600">Name</dt>
            <dd className="min-w-0 break-words">{me.name ?? '—'}</dd>
            <dt className="text-gray-600">Email</dt>
            <dd className="min-w-0 break-all">{me.email}</dd>
            <dt className="text-gray-600">Role</dt>
            <dd>{me.role.name}</dd>
          </dl>
          <details className="mt-4 text-sm">
            <summary className="cursor-pointer font-medium text-accent-700">
              What your role allows ({permissions.length} permissions)
            </summary>
            <ul className="mt-2 flex flex-wrap gap-1.5">
              {permissions.map((p) => (
                <li key={p}>
                  <Badge>{p}</Badge>
                </li>
              ))}
            </ul>
          </details>
          <p className="mt-4 text-sm text-gray-700">
            Your name and role are changed by a staff manager. Closing this browser tab signs you out.
          </p>
        </Card>
        <MfaCard me={me} />
        <ChangePasswordCard />
        <SecurityCard me={me} />
        {me.permissions.includes('inventory:read') ? <StockAlertsCard me={me} /> : null}
      </div>
    </div>
  );
}
