import { useQuery } from '@tanstack/react-query';
import { describeError } from '../../../api/errors';
import { PageHeader, Spinner } from '../../../components/ui';
import { fetchRoles, teamKeys } from './api';
import { RefusalNotice } from './RefusalNotice';
import { RolesSection } from './RolesSection';
import { StaffSection } from './StaffSection';

/** Team: who has access (invite, resend, change role, disable) and what each role allows. */
export default function TeamPage() {
  const roles = useQuery({ queryKey: teamKeys.roles, queryFn: ({ signal }) => fetchRoles(signal) });
  return (
    <div>
      <PageHeader
        title="Team"
        description="Who can sign in to this dashboard and what their role lets them do. Nobody can hand out more access than they hold, and only owners manage owners."
      />
      {roles.isPending ? (
        <Spinner label="Loading team" />
      ) : roles.error ? (
        <RefusalNotice error={describeError(roles.error)} />
      ) : (
        <div className="grid items-start gap-5 xl:grid-cols-2">
          <StaffSection roles={roles.data.data} />
          <RolesSection roles={roles.data.data} allPermissions={roles.data.permissions} />
        </div>
      )}
    </div>
  );
}
