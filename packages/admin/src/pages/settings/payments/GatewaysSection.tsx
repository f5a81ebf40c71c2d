import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../../../api/client';
import { describeError } from '../../../api/errors';
import { useApiMutation } from '../../../api/mutation';
import { Can } from '../../../auth/Can';
import {
  Badge,
  Button,
  Card,
  Checkbox,
  DateTime,
  ErrorNotice,
  Field,
  FormDialog,
  Input,
  Spinner,
  useToast,
} from '../../../components/ui';
import { fetchGateways, type Gateway, gatewayFields, gatewayName, idempotent, paymentKeys } from './api';

/** Stripe and PayPal: active or not, where the settings come from, each secret as set / not set (never its value). */
export function GatewaysSection() {
  const gateways = useQuery({ queryKey: paymentKeys.gateways, queryFn: ({ signal }) => fetchGateways(signal) });
  if (gateways.isPending) return <Spinner label="Loading gateways" />;
  if (gateways.isError) return <ErrorNotice error={describeError(gateways.error)} />;
  return (
    <div className="grid gap-4 lg:grid-cols-2">
      {gateways.data.map((g) => (
        <GatewayCard key={g.provider} gateway={g} />
      ))}
    </div>
  );
}

function GatewayCard({ gateway: g }: { gateway: Gateway }) {
  const [editing, setEditing] = useState(false);
  const fields = gatewayFields[g.provider] ?? { settings: [], secrets: [] };
  const name = gatewayName(g.provider);
  return (
    <Card
      title={name}
      data-testid={`gateway-${g.provider}`}
      actions={
        <Can permission="payments:manage">
          <Button size="sm" onClick={() => setEditing(true)}>
            Edit {name}
          </Button>
        </Can>
      }
    >
      <dl className="grid grid-cols-1 gap-x-4 gap-y-2 text-sm sm:grid-cols-[max-content_1fr]">
        <dt className="font-medium text-gray-700">Status</dt>
        <dd>
          {g.active ? <Badge tone="success">Active</Badge> : <Badge tone="neutral">Not active</Badge>}{' '}
          {g.enabled ? null : <Badge tone="warning">Disabled</Badge>}
        </dd>
        <dt className="font-medium text-gray-700">Configured in</dt>
        <dd>
          {g.source === 'database'
            ? 'this dashboard'
            : g.source === 'environment'
              ? 'environment variables'
              : 'nowhere yet'}
        </dd>
        {fields.settings.map((f) => (
          <SettingRow key={f.key} label={f.label} value={g.settings[f.key] ?? null} />
        ))}
        {fields.secrets.map((f) => (
          <div key={f.key} className="contents">
            <dt className="font-medium text-gray-700">{f.label}</dt>
            <dd data-testid={`secret-${g.provider}-${f.key}`}>
              {g.secrets[f.key] ? <Badge tone="success">Set</Badge> : <Badge tone="warning">Not set</Badge>}
            </dd>
          </div>
        ))}
        <dt className="font-medium text-gray-700">Webhook path</dt>
        <dd className="break-all font-mono text-xs">{g.webhookPath}</dd>
        <dt className="font-medium text-gray-700">Changed</dt>
        <dd>{g.updatedAt ? <DateTime value={g.updatedAt} /> : 'never here'}</dd>
      </dl>
      {editing ? <GatewayDialog gateway={g} onClose={() => setEditing(false)} /> : null}
    </Card>
  );
}

function SettingRow({ label, value }: { label: string; value: string | null }) {
  return (
    <>
      <dt className="font-medium text-gray-700">{label}</dt>
      <dd className="break-all">{value ?? <span className="text-gray-600">not set</span>}</dd>
    </>
  );
}

type Body = { enabled: boolean; settings: Record<string, string | null>; secrets?: Record<string, string | null> };

/** Settings are edited in place; a secret field left empty keeps the stored secret (it is never sent back). */
function GatewayDialog({ gateway: g, onClose }: { gateway: Gateway; onClose: () => void }) {
  const toast = useToast();
  const fields = gatewayFields[g.provider] ?? { settings: [], secrets: [] };
  const [enabled, setEnabled] = useState(g.enabled);
  const [settings, setSettings] = useState<Record<string, string>>(() =>
    Object.fromEntries(fields.settings.map((f) => [f.key, g.settings[f.key] ?? ''])),
  );
  const [secrets, setSecrets] = useState<Record<string, string>>({});
  const save = useApiMutation<Gateway | undefined, Body>({
    mutationFn: async (body, { idempotencyKey }) =>
      (
        await api.PUT('/v1/admin/payment-gateways/{provider}', {
          params: { path: { provider: g.provider as 'stripe' | 'paypal' } },
          body,
          ...idempotent(idempotencyKey),
        })
      ).data,
    invalidate: [paymentKeys.gateways],
    onSuccess: () => {
      toast(`${gatewayName(g.provider)} saved`);
      onClose();
    },
  });
  const error = save.error ? describeError(save.error) : undefined;
  const fieldErrors = error?.fieldErrors ?? {};
  const submit = () => {
    const typed = Object.entries(secrets).filter(([, v]) => v.trim() !== '');
    save.mutate({
      enabled,
      settings: Object.fromEntries(Object.entries(settings).map(([k, v]) => [k, v.trim() === '' ? null : v.trim()])),
      ...(typed.length > 0 ? { secrets: Object.fromEntries(typed.map(([k, v]) => [k, v.trim()])) } : {}),
    });
  };
  return (
    <FormDialog
      title={`${gatewayName(g.provider)} settings`}
      formId={`gateway-${g.provider}-form`}
      submitLabel="Save"
      pending={save.isPending}
      error={error}
      onClose={onClose}
      onSubmit={submit}
    >
      <label htmlFor={`gateway-${g.provider}-enabled`} className="flex items-center gap-2 text-sm">
        <Checkbox
          id={`gateway-${g.provider}-enabled`}
          checked={enabled}
          onChange={(e) => setEnabled(e.target.checked)}
        />
        Offer {gatewayName(g.provider)} at checkout
      </label>
      {fields.settings.map((f) => (
        <Field key={f.key} label={f.label} name={`settings/${f.key}`} fieldErrors={fieldErrors}>
          <Input
            value={settings[f.key] ?? ''}
            autoComplete="off"
            onChange={(e) => setSettings((s) => ({ ...s, [f.key]: e.target.value }))}
          />
        </Field>
      ))}
      {fields.secrets.map((f) => (
        <Field
          key={f.key}
          label={f.label}
          name={`secrets/${f.key}`}
          fieldErrors={fieldErrors}
          hint={g.secrets[f.key] ? 'Set. Leave empty to keep it; it is never shown.' : 'Not set yet.'}
        >
          <Input
            type="password"
            autoComplete="new-password"
            value={secrets[f.key] ?? ''}
            onChange={(e) => setSecrets((s) => ({ ...s, [f.key]: e.target.value }))}
          />
        </Field>
      ))}
    </FormDialog>
  );
}
