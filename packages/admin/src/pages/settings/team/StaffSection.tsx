import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../../../api/client';
import { describeError } from '../../../api/errors';
import { useApiMutation } from '../../../api/mutation';
import { useSession } from '../../../api/session';
import { Can } from '../../../auth/Can';
import {
  Badge,
  Button,
  Card,
  DateTime,
  Dialog,
  DialogClose,
  EmptyState,
  Field,
  FormDialog,
  Input,
  Select,
  Spinner,
  useToast,
} from '../../../components/ui';
import { fetchStaff, idempotent, type Role, type StaffMember, teamKeys } from './api';
import { RefusalNotice } from './RefusalNotice';

const statusTone = { invited: 'info', active: 'success', disabled: 'neutral' } as const;
const invalidate = [teamKeys.staff, teamKeys.roles];

function InviteDialog({ roles, onClose }: { roles: Role[]; onClose: () => void }) {
  const toast = useToast();
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [roleId, setRoleId] = useState(roles.find((r) => r.id === 'role_read_only')?.id ?? roles[0]?.id ?? '');
  const invite = useApiMutation({
    mutationFn: async (body: { email: string; name?: string; roleId: string }, { idempotencyKey }) =>
      (await api.POST('/v1/admin/staff/invites', { body, ...idempotent(idempotencyKey) })).data,
    invalidate,
    onSuccess: (result) => {
      toast(`Invitation sent to ${result.staff.email}`);
      onClose();
    },
  });
  const error = invite.error ? describeError(invite.error) : undefined;
  return (
    <FormDialog
      title="Invite a colleague"
      formId="invite-staff"
      submitLabel="Send invitation"
      pending={invite.isPending}
      error={undefined}
      onClose={onClose}
      onSubmit={() => {
        const body: { email: string; name?: string; roleId: string } = { email: email.trim(), roleId };
        if (name.trim()) body.name = name.trim();
        invite.mutate(body);
      }}
    >
      {error && Object.keys(error.fieldErrors).length === 0 ? <RefusalNotice error={error} /> : null}
      <p className="text-sm text-gray-700">
        They get an email with a link to choose a password. The link works once, for 7 days.
      </p>
      <Field label="Email" name="email" fieldErrors={error?.fieldErrors} required>
        <Input type="email" autoComplete="off" value={email} onChange={(e) => setEmail(e.target.value)} />
      </Field>
      <Field label="Name" name="name" fieldErrors={error?.fieldErrors} hint="Optional">
        <Input autoComplete="off" value={name} onChange={(e) => setName(e.target.value)} />
      </Field>
      <Field label="Role" name="roleId" fieldErrors={error?.fieldErrors} required>
        <Select
          value={roleId}
          onChange={(e) => setRoleId(e.target.value)}
          options={roles.map((r) => ({ value: r.id, label: r.name }))}
        />
      </Field>
    </FormDialog>
  );
}

function ChangeRoleDialog({ member, roles, onClose }: { member: StaffMember; roles: Role[]; onClose: () => void }) {
  const toast = useToast();
  const [roleId, setRoleId] = useState(member.role.id);
  const change = useApiMutation({
    mutationFn: async (next: string, { idempotencyKey }) =>
      (
        await api.PATCH('/v1/admin/staff/{id}', {
          params: { path: { id: member.id } },
          body: { roleId: next },
          ...idempotent(idempotencyKey),
        })
      ).data,
    invalidate,
    onSuccess: (result) => {
      toast(`${result.name ?? result.email} is now ${result.role.name}`);
      onClose();
    },
  });
  const error = change.error ? describeError(change.error) : undefined;
  return (
    <FormDialog
      title={`Change the role of ${member.name ?? member.email}`}
      formId="change-role"
      submitLabel="Change role"
      pending={change.isPending}
      error={undefined}
      onClose={onClose}
      onSubmit={() => change.mutate(roleId)}
    >
      {error ? <RefusalNotice error={error} /> : null}
      <Field label="Role" hint="Their new permissions apply from their next request.">
        <Select
          value={roleId}
          onChange={(e) => setRoleId(e.target.value)}
          options={roles.map((r) => ({ value: r.id, label: r.name }))}
        />
      </Field>
    </FormDialog>
  );
}

function StatusAction({ member }: { member: StaffMember }) {
  const toast = useToast();
  const [open, setOpen] = useState(false);
  const target = member.status === 'disabled' ? 'active' : 'disabled';
  const change = useApiMutation({
    mutationFn: async (status: 'active' | 'disabled', { idempotencyKey }) =>
      (
        await api.PATCH('/v1/admin/staff/{id}', {
          params: { path: { id: member.id } },
          body: { status },
          ...idempotent(idempotencyKey),
        })
      ).data,
    invalidate,
    onSuccess: (result) => {
      toast(result.status === 'disabled' ? `${result.email} disabled` : `${result.email} enabled`);
      setOpen(false);
    },
  });
  const error = change.error ? describeError(change.error) : undefined;
  const who = member.name ?? member.email;
  return (
    <Dialog
      open={open}
      onOpenChange={(next) => {
        setOpen(next);
        if (next) change.reset();
      }}
      trigger={
        <Button size="sm" variant={target === 'disabled' ? 'danger' : 'secondary'}>
          {target === 'disabled' ? 'Disable' : 'Enable'}
          <span className="sr-only"> {who}</span>
        </Button>
      }
      title={target === 'disabled' ? `Disable ${who}?` : `Enable ${who}?`}
      description={
        target === 'disabled'
          ? 'They are signed out at once and can no longer sign in. You can enable them again later.'
          : 'They can sign in again with their password.'
      }
      footer={
        <>
          <DialogClose asChild>
            <Button disabled={change.isPending}>Cancel</Button>
          </DialogClose>
          <Button
            variant={target === 'disabled' ? 'danger' : 'primary'}
            loading={change.isPending}
            onClick={() => change.mutate(target)}
          >
            {target === 'disabled' ? 'Disable' : 'Enable'}
          </Button>
        </>
      }
    >
      {error ? <RefusalNotice error={error} /> : null}
    </Dialog>
  );
}

function ResendAction({ member }: { member: StaffMember }) {
  const toast = useToast();
  const resend = useApiMutation({
    mutationFn: async (_: undefined, { idempotencyKey }) =>
      (
        await api.POST('/v1/admin/staff/{id}/invite', {
          params: { path: { id: member.id } },
          ...idempotent(idempotencyKey),
        })
      ).data,
    invalidate,
    onSuccess: () => toast(`A fresh invitation went to ${member.email}; earlier links no longer work`),
    onError: (e) => toast(describeError(e).detail ?? describeError(e).title),
  });
  return (
    <Button size="sm" loading={resend.isPending} onClick={() => resend.mutate(undefined)}>
      Resend invitation<span className="sr-only"> to {member.email}</span>
    </Button>
  );
}

/** The staff list with invite, resend, change role and disable/enable (the last three need staff:manage). */
export function StaffSection({ roles }: { roles: Role[] }) {
  const me = useSession().me;
  const staff = useQuery({ queryKey: teamKeys.staff, queryFn: ({ signal }) => fetchStaff(signal) });
  const [inviting, setInviting] = useState(false);
  const [changing, setChanging] = useState<StaffMember | undefined>(undefined);

  return (
    <Card
      title="Staff"
      actions={
        <Can permission="staff:manage">
          <Button variant="primary" onClick={() => setInviting(true)} disabled={roles.length === 0}>
            Invite a colleague
          </Button>
        </Can>
      }
    >
      {staff.isPending ? (
        <Spinner label="Loading staff" />
      ) : staff.error ? (
        <RefusalNotice error={describeError(staff.error)} />
      ) : staff.data.data.length === 0 ? (
        <EmptyState title="No staff yet" />
      ) : (
        <ul className="divide-y divide-gray-200" aria-label="Staff members">
          {staff.data.data.map((m) => {
            const self = m.id === me?.id;
            return (
              <li key={m.id} className="flex flex-wrap items-center justify-between gap-3 py-3">
                <div className="min-w-0">
                  <p className="font-medium break-words text-gray-900">
                    {m.name ?? m.email} {self ? <Badge tone="accent">You</Badge> : null}
                  </p>
                  <p className="text-sm break-all text-gray-700">{m.email}</p>
                  <p className="mt-1 flex flex-wrap items-center gap-1.5 text-sm text-gray-700">
                    <Badge>{m.role.name}</Badge>
                    <Badge tone={statusTone[m.status]}>{m.status}</Badge>
                    {m.mfaEnabled ? <Badge tone="success">MFA</Badge> : null}
                    <span>
                      {m.lastLoginAt ? (
                        <>
                          Last sign-in <DateTime value={m.lastLoginAt} />
                        </>
                      ) : (
                        'Never signed in'
                      )}
                    </span>
                  </p>
                </div>
                {self ? (
                  <p className="text-sm text-gray-600">Your own role and status are changed by another manager.</p>
                ) : (
                  <Can permission="staff:manage">
                    <div className="flex flex-wrap gap-2">
                      {m.status === 'invited' ? <ResendAction member={m} /> : null}
                      <Button size="sm" onClick={() => setChanging(m)}>
                        Change role<span className="sr-only"> of {m.email}</span>
                      </Button>
                      {m.status !== 'invited' ? <StatusAction member={m} /> : null}
                    </div>
                  </Can>
                )}
              </li>
            );
          })}
        </ul>
      )}
      {staff.data?.nextCursor ? <p className="mt-3 text-sm text-gray-700">Showing the newest 100 members.</p> : null}
      {inviting ? <InviteDialog roles={roles} onClose={() => setInviting(false)} /> : null}
      {changing ? <ChangeRoleDialog member={changing} roles={roles} onClose={() => setChanging(undefined)} /> : null}
    </Card>
  );
}
