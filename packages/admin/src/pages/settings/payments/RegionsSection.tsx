import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../../../api/client';
import { describeError } from '../../../api/errors';
import { useApiMutation } from '../../../api/mutation';
import { Can } from '../../../auth/Can';
import {
  Badge,
  Button,
  Checkbox,
  EmptyState,
  ErrorNotice,
  Field,
  FormDialog,
  Select,
  Spinner,
  Table,
  TBody,
  Td,
  THead,
  Th,
  Tr,
  useToast,
} from '../../../components/ui';
import { fetchGateways, fetchRegions, gatewayName, idempotent, paymentKeys, type Region } from './api';

const providerLabel = (p: string) => (p === 'manual' ? 'Manual (pay later)' : gatewayName(p));

/** Which providers each region offers (all configured ones when none are chosen) and when the money is captured. */
export function RegionsSection() {
  const regions = useQuery({ queryKey: paymentKeys.regions, queryFn: ({ signal }) => fetchRegions(signal) });
  const gateways = useQuery({ queryKey: paymentKeys.gateways, queryFn: ({ signal }) => fetchGateways(signal) });
  const [editing, setEditing] = useState<Region | undefined>();
  if (regions.isPending) return <Spinner label="Loading regions" />;
  if (regions.isError) return <ErrorNotice error={describeError(regions.error)} />;
  if (regions.data.length === 0) return <EmptyState title="No regions yet" description="Add a region first." />;
  const providers = ['manual', ...(gateways.data ?? []).filter((g) => g.active).map((g) => g.provider)];
  return (
    <>
      <Table aria-label="Payment settings per region">
        <THead>
          <tr>
            <Th>Region</Th>
            <Th>Providers</Th>
            <Th>Capture</Th>
            <Th>
              <span className="sr-only">Actions</span>
            </Th>
          </tr>
        </THead>
        <TBody>
          {regions.data.map((r) => (
            <Tr key={r.id}>
              <Td className="font-medium">{r.name}</Td>
              <Td>{r.paymentProviders ? r.paymentProviders.map(providerLabel).join(', ') : 'Every configured one'}</Td>
              <Td>
                {r.captureMethod === 'automatic' ? (
                  <Badge tone="success">At checkout</Badge>
                ) : (
                  <Badge tone="info">Manual</Badge>
                )}
              </Td>
              <Td className="text-right">
                <Can permission="payments:manage">
                  <Button size="sm" onClick={() => setEditing(r)}>
                    Edit<span className="sr-only"> payment settings of {r.name}</span>
                  </Button>
                </Can>
              </Td>
            </Tr>
          ))}
        </TBody>
      </Table>
      {editing ? <RegionDialog region={editing} providers={providers} onClose={() => setEditing(undefined)} /> : null}
    </>
  );
}

type Body = { providers: string[] | null; captureMethod: 'automatic' | 'manual' };

function RegionDialog({ region, providers, onClose }: { region: Region; providers: string[]; onClose: () => void }) {
  const toast = useToast();
  const [all, setAll] = useState(region.paymentProviders === null);
  const [chosen, setChosen] = useState<string[]>(region.paymentProviders ?? []);
  const [capture, setCapture] = useState<'automatic' | 'manual'>(region.captureMethod);
  const options = [...new Set([...providers, ...chosen])];
  const save = useApiMutation<unknown, Body>({
    mutationFn: async (body, { idempotencyKey }) =>
      (
        await api.PUT('/v1/admin/regions/{id}/payment-settings', {
          params: { path: { id: region.id } },
          body,
          ...idempotent(idempotencyKey),
        })
      ).data,
    invalidate: [paymentKeys.regions],
    onSuccess: () => {
      toast(`Payment settings of ${region.name} saved`);
      onClose();
    },
  });
  const error = save.error ? describeError(save.error) : undefined;
  const providerError = Object.entries(error?.fieldErrors ?? {}).find(([k]) => k.startsWith('/body/providers'))?.[1];
  return (
    <FormDialog
      title={`Payments in ${region.name}`}
      formId="region-payments-form"
      submitLabel="Save"
      pending={save.isPending}
      error={error}
      onClose={onClose}
      onSubmit={() => save.mutate({ providers: all ? null : chosen, captureMethod: capture })}
    >
      <fieldset className="space-y-2">
        <legend className="text-sm font-medium text-gray-800">Providers offered</legend>
        <label htmlFor="region-payments-all" className="flex items-center gap-2 text-sm">
          <Checkbox id="region-payments-all" checked={all} onChange={(e) => setAll(e.target.checked)} />
          Every configured provider
        </label>
        {all
          ? null
          : options.map((p) => (
              <label key={p} htmlFor={`region-payments-${p}`} className="flex items-center gap-2 pl-6 text-sm">
                <Checkbox
                  id={`region-payments-${p}`}
                  checked={chosen.includes(p)}
                  onChange={(e) => setChosen((c) => (e.target.checked ? [...c, p] : c.filter((x) => x !== p)))}
                />
                {providerLabel(p)}
              </label>
            ))}
        {providerError ? <p className="text-sm text-red-700">{providerError}</p> : null}
      </fieldset>
      <Field label="Capture" hint="Manual: staff capture each order's payment (for example when it ships).">
        <Select
          value={capture}
          onChange={(e) => setCapture(e.target.value as 'automatic' | 'manual')}
          options={[
            { value: 'automatic', label: 'At checkout (automatic)' },
            { value: 'manual', label: 'Later, by staff (manual)' },
          ]}
        />
      </Field>
    </FormDialog>
  );
}
