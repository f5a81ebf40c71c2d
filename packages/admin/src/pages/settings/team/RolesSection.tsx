import type { paths } from '@backroom/client';
import { useId, useState } from 'react';
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
  Field,
  FormDialog,
  Input,
  useToast,
} from '../../../components/ui';
import { idempotent, type Role, teamKeys } from './api';
import { RefusalNotice } from './RefusalNotice';

interface RoleForm {
  name: string;
  description: string;
  permissions: string[];
}

type PermissionName =
  paths['/v1/admin/roles']['post']['requestBody']['content']['application/json']['permissions'][number];

function PermissionBox({
  permission,
  checked,
  onChange,
}: {
  permission: string;
  checked: boolean;
  onChange: (permission: string, on: boolean) => void;
}) {
  const id = useId();
  return (
    <div className="flex items-center gap-2 text-sm">
      <Checkbox id={id} checked={checked} onChange={(e) => onChange(permission, e.target.checked)} />
      <label htmlFor={id} className="break-all">
        {permission}
      </label>
    </div>
  );
}

function RoleDialog({ role, allPermissions, onClose }: { role?: Role; allPermissions: string[]; onClose: () => void }) {
  const toast = useToast();
  const [form, setForm] = useState<RoleForm>({
    name: role?.name ?? '',
    description: role?.description ?? '',
    permissions: role?.permissions ?? [],
  });
  const save = useApiMutation({
    mutationFn: async (value: RoleForm, { idempotencyKey }) => {
      const body = {
        name: value.name.trim(),
        description: value.description.trim(),
        permissions: value.permissions as PermissionName[],
      };
      if (role)
        return (
          await api.PATCH('/v1/admin/roles/{id}', {
            params: { path: { id: role.id } },
            body,
            ...idempotent(idempotencyKey),
          })
        ).data;
      return (await api.POST('/v1/admin/roles', { body, ...idempotent(idempotencyKey) })).data;
    },
    invalidate: [teamKeys.roles, teamKeys.staff],
    onSuccess: (saved) => {
      toast(role ? `Role ${saved.name} saved` : `Role ${saved.name} created`);
      onClose();
    },
  });
  const error = save.error ? describeError(save.error) : undefined;
  const toggle = (p: string, on: boolean) =>
    setForm((f) => ({ ...f, permissions: on ? [...f.permissions, p] : f.permissions.filter((x) => x !== p) }));
  return (
    <FormDialog
      title={role ? `Edit role ${role.name}` : 'New role'}
      formId="role-form"
      submitLabel={role ? 'Save role' : 'Create role'}
      pending={save.isPending}
      error={undefined}
      onClose={onClose}
      onSubmit={() => save.mutate(form)}
    >
      {error && Object.keys(error.fieldErrors).length === 0 ? <RefusalNotice error={error} /> : null}
      <Field label="Name" name="name" fieldErrors={error?.fieldErrors} required>
        <Input value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} />
      </Field>
      <Field label="Description" name="description" fieldErrors={error?.fieldErrors}>
        <Input value={form.description} onChange={(e) => setForm({ ...form, description: e.target.value })} />
      </Field>
      <fieldset>
        <legend className="text-sm font-medium text-gray-800">Permissions</legend>
        <p className="text-sm text-gray-700">You can only include permissions your own role has.</p>
        <div className="mt-2 grid max-h-64 gap-1 overflow-y-auto sm:grid-cols-2">
          {allPermissions.map((p) => (
            <PermissionBox key={p} permission={p} checked={form.permissions.includes(p)} onChange={toggle} />
          ))}
        </div>
      </fieldset>
    </FormDialog>
  );
}

function DeleteRole({ role }: { role: Role }) {
  const toast = useToast();
  const del = useApiMutation({
    mutationFn: async (_: undefined, { idempotencyKey }) =>
      (await api.DELETE('/v1/admin/roles/{id}', { params: { path: { id: role.id } }, ...idempotent(idempotencyKey) }))
        .data,
    invalidate: [teamKeys.roles],
    onSuccess: () => toast(`Role ${role.name} deleted`),
  });
  return (
    <ConfirmDialog
      trigger={
        <Button size="sm" variant="danger">
          Delete<span className="sr-only"> role {role.name}</span>
        </Button>
      }
      title={`Delete the role ${role.name}?`}
      description="Only a role nobody holds can be deleted."
      confirmLabel="Delete role"
      onConfirm={() => del.mutateAsync(undefined)}
    />
  );
}

/** Roles and what each allows: built-in roles read-only, custom roles created, edited and deleted (staff:manage). */
export function RolesSection({ roles, allPermissions }: { roles: Role[]; allPermissions: string[] }) {
  const [editing, setEditing] = useState<Role | 'new' | undefined>(undefined);
  return (
    <Card
      title="Roles"
      actions={
        <Can permission="staff:manage">
          <Button onClick={() => setEditing('new')}>New role</Button>
        </Can>
      }
    >
      <ul className="divide-y divide-gray-200" aria-label="Roles">
        {roles.map((r) => (
          <li key={r.id} className="py-3">
            <div className="flex flex-wrap items-start justify-between gap-2">
              <div className="min-w-0">
                <p className="font-medium text-gray-900">
                  {r.name} {r.builtin ? <Badge>Built-in</Badge> : <Badge tone="accent">Custom</Badge>}
                </p>
                {r.description ? <p className="text-sm text-gray-700">{r.description}</p> : null}
                <p className="text-sm text-gray-700">
                  {r.staffCount} {r.staffCount === 1 ? 'member' : 'members'}
                </p>
              </div>
              {r.builtin ? null : (
                <Can permission="staff:manage">
                  <div className="flex flex-wrap gap-2">
                    <Button size="sm" onClick={() => setEditing(r)}>
                      Edit<span className="sr-only"> role {r.name}</span>
                    </Button>
                    <DeleteRole role={r} />
                  </div>
                </Can>
              )}
            </div>
            <details className="mt-2 text-sm">
              <summary className="cursor-pointer font-medium text-accent-700">
                Permissions ({r.permissions.length})<span className="sr-only"> of {r.name}</span>
              </summary>
              <ul className="mt-2 flex flex-wrap gap-1.5">
                {r.permissions.map((p) => (
                  <li key={p}>
                    <Badge>{p}</Badge>
                  </li>
                ))}
              </ul>
            </details>
          </li>
        ))}
      </ul>
      {editing ? (
        <RoleDialog
          allPermissions={allPermissions}
          onClose={() => setEditing(undefined)}
          {...(editing === 'new' ? {} : { role: editing })}
        />
      ) : null}
    </Card>
  );
}
