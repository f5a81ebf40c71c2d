import { useState } from 'react';
import { api } from '../../../api/client';
import { describeError } from '../../../api/errors';
import { useApiMutation } from '../../../api/mutation';
import { Can } from '../../../auth/Can';
import { Section } from '../../../components/DetailPage';
import { Badge, Button, ErrorNotice, Field, FormDialog, Input, Spinner, Textarea } from '../../../components/ui';
import { CheckboxLine } from '../../orders/actions/CheckboxLine';
import { catalogKeys, type SalesChannel, useSalesChannels } from '../../products/api';

interface Draft {
  name: string;
  description: string;
  isDefault: boolean;
}

function ChannelDialog({ editing, onClose }: { editing?: SalesChannel; onClose: () => void }) {
  const [draft, setDraft] = useState<Draft>({
    name: editing?.name ?? '',
    description: editing?.description ?? '',
    isDefault: editing?.isDefault ?? false,
  });
  const save = useApiMutation({
    mutationFn: async (d: Draft, { idempotencyKey }) => {
      const headers = { 'Idempotency-Key': idempotencyKey };
      const body = { name: d.name.trim(), description: d.description.trim() || null, isDefault: d.isDefault };
      if (editing) {
        return (
          await api.PATCH('/v1/admin/sales-channels/{id}', { params: { path: { id: editing.id } }, body, headers })
        ).data;
      }
      return (await api.POST('/v1/admin/sales-channels', { body, headers })).data;
    },
    invalidate: [catalogKeys.salesChannels],
    onSuccess: onClose,
  });
  const error = save.error ? describeError(save.error) : undefined;
  const fe = error?.fieldErrors ?? {};
  return (
    <FormDialog
      title={editing ? `Edit ${editing.name}` : 'New sales channel'}
      formId="channel-form"
      submitLabel={editing ? 'Save' : 'Create'}
      pending={save.isPending}
      error={error}
      onClose={onClose}
      onSubmit={() => save.mutate(draft)}
    >
      <Field label="Name" required fieldErrors={fe} name="name">
        <Input value={draft.name} onChange={(e) => setDraft({ ...draft, name: e.target.value })} />
      </Field>
      <Field label="Description" fieldErrors={fe} name="description">
        <Textarea value={draft.description} onChange={(e) => setDraft({ ...draft, description: e.target.value })} />
      </Field>
      {editing?.isDefault ? null : (
        <CheckboxLine checked={draft.isDefault} onChange={(v) => setDraft({ ...draft, isDefault: v })}>
          The default channel (storefronts without a publishable key browse it)
        </CheckboxLine>
      )}
    </FormDialog>
  );
}

/** Sales channels: what each storefront sells; a publishable key picks one. */
export function ChannelsSection() {
  const channels = useSalesChannels();
  const [dialog, setDialog] = useState<{ editing?: SalesChannel } | undefined>();
  return (
    <Section
      title="Sales channels"
      actions={
        <Can permission="catalog:write">
          <Button size="sm" variant="primary" onClick={() => setDialog({})}>
            New channel
          </Button>
        </Can>
      }
    >
      {channels.isError ? (
        <ErrorNotice error={describeError(channels.error)} />
      ) : channels.isPending ? (
        <Spinner label="Loading channels" />
      ) : (
        <ul className="divide-y divide-gray-200">
          {channels.data.map((c) => (
            <li key={c.id} className="flex flex-wrap items-center justify-between gap-2 py-2 first:pt-0 last:pb-0">
              <div className="min-w-0">
                <p className="flex flex-wrap items-center gap-2 font-medium">
                  <span className="break-words">{c.name}</span>
                  {c.isDefault ? <Badge tone="accent">Default</Badge> : null}
                </p>
                {c.description ? <p className="text-sm text-gray-600 break-words">{c.description}</p> : null}
                <p className="text-xs text-gray-600 break-all">{c.id}</p>
              </div>
              <Can permission="catalog:write">
                <Button size="sm" aria-label={`Edit ${c.name}`} onClick={() => setDialog({ editing: c })}>
                  Edit
                </Button>
              </Can>
            </li>
          ))}
        </ul>
      )}
      {dialog ? <ChannelDialog {...dialog} onClose={() => setDialog(undefined)} /> : null}
    </Section>
  );
}
