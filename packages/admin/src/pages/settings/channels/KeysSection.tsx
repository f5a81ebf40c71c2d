import type { paths } from '@backroom/client';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../../../api/client';
import { describeError } from '../../../api/errors';
import { useApiMutation } from '../../../api/mutation';
import { useSession } from '../../../api/session';
import { Section } from '../../../components/DetailPage';
import {
  Badge,
  Button,
  ConfirmDialog,
  DateTime,
  Dialog,
  ErrorNotice,
  Field,
  FormDialog,
  Input,
  Select,
  Spinner,
} from '../../../components/ui';
import { CheckboxLine } from '../../orders/actions/CheckboxLine';
import { useSalesChannels } from '../../products/api';

export type ApiKey =
  paths['/v1/admin/api-keys']['get']['responses'][200]['content']['application/json']['data'][number];
type Created = paths['/v1/admin/api-keys']['post']['responses'][201]['content']['application/json'];
type Kind = ApiKey['kind'];

export const keyKeys = { all: ['api-keys'] as const };

/** Up to 100 keys (newest first); a shop with more revokes old ones. */
export function useApiKeys() {
  return useQuery({
    queryKey: keyKeys.all,
    queryFn: async ({ signal }) =>
      (await api.GET('/v1/admin/api-keys', { params: { query: { limit: 100 } }, signal })).data.data,
  });
}

interface Draft {
  name: string;
  salesChannelId: string;
  permissions: string[];
  expiresAt: string;
}

function KeyDialog({ kind, onClose, onCreated }: { kind: Kind; onClose: () => void; onCreated: (k: Created) => void }) {
  const [draft, setDraft] = useState<Draft>({ name: '', salesChannelId: '', permissions: [], expiresAt: '' });
  const { permissions } = useSession();
  const channels = useSalesChannels();
  const create = useApiMutation({
    mutationFn: async (d: Draft) =>
      (
        await api.POST('/v1/admin/api-keys', {
          body: {
            name: d.name.trim(),
            kind,
            ...(kind === 'secret' ? { permissions: d.permissions } : {}),
            ...(kind === 'publishable' && d.salesChannelId ? { salesChannelId: d.salesChannelId } : {}),
            ...(d.expiresAt ? { expiresAt: new Date(d.expiresAt).toISOString() } : {}),
          },
        })
      ).data,
    invalidate: [keyKeys.all],
    onSuccess: onCreated,
  });
  const error = create.error ? describeError(create.error) : undefined;
  const fe = error?.fieldErrors ?? {};
  const permissionError = Object.entries(fe).find(([k]) => k.startsWith('/body/permissions'))?.[1];
  return (
    <FormDialog
      title={kind === 'secret' ? 'New secret key' : 'New publishable key'}
      formId="key-form"
      submitLabel="Create key"
      pending={create.isPending}
      error={error}
      onClose={onClose}
      onSubmit={() => create.mutate(draft)}
    >
      <Field label="Name" required fieldErrors={fe} name="name" hint="Where it is used, e.g. “ERP sync”.">
        <Input value={draft.name} onChange={(e) => setDraft({ ...draft, name: e.target.value })} />
      </Field>
      {kind === 'publishable' ? (
        <Field label="Sales channel" fieldErrors={fe} name="salesChannelId">
          <Select
            value={draft.salesChannelId}
            onChange={(e) => setDraft({ ...draft, salesChannelId: e.target.value })}
            placeholder="Follow the default channel"
            options={(channels.data ?? []).map((c) => ({ value: c.id, label: c.name }))}
          />
        </Field>
      ) : (
        <fieldset className="space-y-1">
          <legend className="text-sm font-medium text-gray-800">Permissions (only those you have yourself)</legend>
          <div className="grid gap-1 sm:grid-cols-2">
            {[...permissions].sort().map((p) => (
              <CheckboxLine
                key={p}
                checked={draft.permissions.includes(p)}
                onChange={(v) =>
                  setDraft({
                    ...draft,
                    permissions: v ? [...draft.permissions, p] : draft.permissions.filter((x) => x !== p),
                  })
                }
              >
                {p}
              </CheckboxLine>
            ))}
          </div>
          {permissionError ? <p className="text-sm text-red-700">{permissionError}</p> : null}
        </fieldset>
      )}
      <Field label="Expires" fieldErrors={fe} name="expiresAt" hint="Empty: never.">
        <Input
          type="datetime-local"
          value={draft.expiresAt}
          onChange={(e) => setDraft({ ...draft, expiresAt: e.target.value })}
        />
      </Field>
    </FormDialog>
  );
}

/** The new key's value, shown this once, with a copy button. */
function ShownOnce({ created, onClose }: { created: Created; onClose: () => void }) {
  const [copied, setCopied] = useState<string | undefined>();
  return (
    <Dialog
      open
      onOpenChange={(open) => {
        if (!open) onClose();
      }}
      title={`Key “${created.name}” created`}
      description={
        created.kind === 'secret'
          ? 'Copy the secret now: it is shown only this once. Keep it on a server, never in a browser or app.'
          : 'Storefronts send this key as x-publishable-key. You can read it again only by creating a new one.'
      }
      footer={
        <Button variant="primary" onClick={onClose}>
          Done
        </Button>
      }
    >
      <div className="space-y-2">
        <Field label="Key">
          <Input readOnly value={created.key} spellCheck={false} className="font-mono" />
        </Field>
        <div className="flex flex-wrap items-center gap-2">
          <Button
            size="sm"
            onClick={() =>
              void navigator.clipboard.writeText(created.key).then(
                () => setCopied('Copied.'),
                () => setCopied('Copying failed: select the key and copy it yourself.'),
              )
            }
          >
            Copy key
          </Button>
          <span role="status" className="text-sm text-gray-700">
            {copied}
          </span>
        </div>
      </div>
    </Dialog>
  );
}

function KeyRow({
  k,
  channelName,
  onRevoked,
}: {
  k: ApiKey;
  channelName: (id: string | null) => string;
  onRevoked: () => Promise<unknown>;
}) {
  const expired = k.expiresAt !== null && Date.parse(k.expiresAt) <= Date.now();
  return (
    <li className="flex flex-wrap items-start justify-between gap-2 py-3 first:pt-0 last:pb-0">
      <div className="min-w-0 space-y-1">
        <p className="flex flex-wrap items-center gap-2 font-medium">
          <span className="break-words">{k.name}</span>
          <code className="rounded bg-gray-100 px-1.5 py-0.5 text-xs break-all">{k.hint}</code>
          {k.revokedAt ? <Badge tone="danger">Revoked</Badge> : expired ? <Badge>Expired</Badge> : null}
        </p>
        <p className="text-sm text-gray-700 break-words">
          {k.kind === 'publishable'
            ? `Channel: ${channelName(k.salesChannelId)}`
            : k.permissions.length
              ? k.permissions.join(', ')
              : 'No permissions'}
        </p>
        <p className="text-xs text-gray-600">
          Created <DateTime value={k.createdAt} /> · Last used{' '}
          {k.lastUsedAt ? <DateTime value={k.lastUsedAt} /> : 'never'} ·{' '}
          {k.revokedAt ? (
            <>
              Revoked <DateTime value={k.revokedAt} />
            </>
          ) : k.expiresAt ? (
            <>
              Expires <DateTime value={k.expiresAt} />
            </>
          ) : (
            'No expiry'
          )}
        </p>
      </div>
      {k.revokedAt ? null : (
        <ConfirmDialog
          trigger={
            <Button size="sm" variant="ghost" aria-label={`Revoke ${k.name}`}>
              Revoke
            </Button>
          }
          title={`Revoke ${k.name}?`}
          description="It stops working on the next request. This cannot be undone."
          confirmLabel="Revoke"
          onConfirm={async () => {
            await api.DELETE('/v1/admin/api-keys/{id}', { params: { path: { id: k.id } } });
            await onRevoked();
          }}
        />
      )}
    </li>
  );
}

/** One kind of key: the list, a "New … key" button, the value shown once after creating. */
export function KeysSection({ kind }: { kind: Kind }) {
  const keys = useApiKeys();
  const channels = useSalesChannels();
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<Created | undefined>();
  const rows = (keys.data ?? []).filter((k) => k.kind === kind);
  const channelName = (id: string | null) =>
    id === null ? 'the default' : (channels.data?.find((c) => c.id === id)?.name ?? id);
  return (
    <Section
      title={kind === 'secret' ? 'Secret API keys' : 'Publishable keys'}
      actions={
        <Button size="sm" variant="primary" onClick={() => setCreating(true)}>
          {kind === 'secret' ? 'New secret key' : 'New publishable key'}
        </Button>
      }
    >
      <p className="text-sm text-gray-700">
        {kind === 'secret'
          ? 'For servers and integrations: a secret key acts with the permissions it was given.'
          : 'For storefronts: a publishable key selects the sales channel a storefront browses; it grants no admin access.'}
      </p>
      {keys.isError ? (
        <ErrorNotice error={describeError(keys.error)} />
      ) : keys.isPending ? (
        <Spinner label="Loading keys" />
      ) : rows.length === 0 ? (
        <p className="text-sm text-gray-600">None yet.</p>
      ) : (
        <ul className="divide-y divide-gray-200">
          {rows.map((k) => (
            <KeyRow key={k.id} k={k} channelName={channelName} onRevoked={() => keys.refetch()} />
          ))}
        </ul>
      )}
      {creating ? (
        <KeyDialog
          kind={kind}
          onClose={() => setCreating(false)}
          onCreated={(k) => {
            setCreating(false);
            setCreated(k);
          }}
        />
      ) : null}
      {created ? <ShownOnce created={created} onClose={() => setCreated(undefined)} /> : null}
    </Section>
  );
}
