import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../../../api/client';
import { describeError } from '../../../api/errors';
import { useApiMutation } from '../../../api/mutation';
import { Checkbox, ErrorNotice, Field, FormDialog, Input, Spinner, useToast } from '../../../components/ui';
import { type Endpoint, fetchEventTypes, webhookKeys } from './api';

function EventTypePicker({ value, onChange }: { value: string[]; onChange: (types: string[]) => void }) {
  const types = useQuery({ queryKey: webhookKeys.eventTypes, queryFn: ({ signal }) => fetchEventTypes(signal) });
  if (types.isPending) return <Spinner label="Loading event types" />;
  if (types.isError) return <ErrorNotice error={describeError(types.error)} />;
  return (
    <fieldset className="space-y-1">
      <legend className="mb-1 text-sm font-medium text-gray-800">Event types</legend>
      <div className="max-h-64 space-y-1 overflow-y-auto rounded border border-gray-200 p-2">
        {types.data
          .filter((t) => t.type !== 'ping')
          .map((t) => (
            <div key={t.type} className="flex items-start gap-2 text-sm text-gray-900">
              <Checkbox
                id={`event-type-${t.type}`}
                checked={value.includes(t.type)}
                onChange={(ev) => onChange(ev.target.checked ? [...value, t.type] : value.filter((x) => x !== t.type))}
              />
              <label htmlFor={`event-type-${t.type}`} className="min-w-0">
                <code className="break-all">{t.type}</code>
                <span className="block text-xs text-gray-700">{t.description}</span>
              </label>
            </div>
          ))}
      </div>
    </fieldset>
  );
}

interface EndpointBody {
  url: string;
  description: string;
  eventTypes: string[];
}

/** Adding hands back the new signing secret (shown once by the page); editing just closes with a toast. */
export type EndpointDialogProps = { onClose: () => void } & (
  | { endpoint?: undefined; onCreated: (secret: string) => void }
  | { endpoint: Endpoint }
);

/** Add an endpoint, or edit one's URL, description and event types (the same form; If-Match on edit). */
export function EndpointDialog(props: EndpointDialogProps) {
  const { endpoint, onClose } = props;
  const toast = useToast();
  const [url, setUrl] = useState(endpoint?.url ?? '');
  const [description, setDescription] = useState(endpoint?.description ?? '');
  const [eventTypes, setEventTypes] = useState<string[]>(endpoint?.eventTypes ?? []);
  const save = useApiMutation({
    mutationFn: async (body: EndpointBody, { idempotencyKey }): Promise<string | undefined> => {
      const headers = { 'Idempotency-Key': idempotencyKey };
      if (!endpoint) return (await api.POST('/v1/admin/webhook-endpoints', { body, headers })).data.secret;
      await api.PATCH('/v1/admin/webhook-endpoints/{id}', {
        params: { path: { id: endpoint.id }, header: { 'if-match': `"${endpoint.version}"` } },
        body,
        headers,
      });
      return undefined;
    },
    invalidate: [webhookKeys.endpoints],
    onSuccess: (secret) => {
      if (props.endpoint === undefined) {
        if (secret !== undefined) props.onCreated(secret);
        return;
      }
      toast('Endpoint saved');
      onClose();
    },
  });
  const error = save.error ? describeError(save.error) : undefined;
  const eventTypesError = error?.fieldErrors['/body/eventTypes'] ?? error?.fieldErrors.eventTypes;
  return (
    <FormDialog
      title={endpoint ? 'Edit endpoint' : 'Add endpoint'}
      formId={endpoint ? 'webhook-endpoint-edit' : 'webhook-endpoint-form'}
      submitLabel={endpoint ? 'Save' : 'Add endpoint'}
      pending={save.isPending}
      error={error}
      onClose={onClose}
      onSubmit={() => save.mutate({ url: url.trim(), description: description.trim(), eventTypes })}
    >
      <Field
        label="URL"
        name="url"
        required
        fieldErrors={error?.fieldErrors}
        hint={endpoint ? undefined : 'https:// address of your service'}
      >
        <Input type="url" value={url} onChange={(e) => setUrl(e.target.value)} autoComplete="off" />
      </Field>
      <Field label="Description" name="description" fieldErrors={error?.fieldErrors}>
        <Input value={description} onChange={(e) => setDescription(e.target.value)} />
      </Field>
      <EventTypePicker value={eventTypes} onChange={setEventTypes} />
      {eventTypesError ? <p className="text-sm text-red-700">{eventTypesError}</p> : null}
    </FormDialog>
  );
}
