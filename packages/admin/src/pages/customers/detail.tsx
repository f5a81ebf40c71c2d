import { useParams } from '@tanstack/react-router';
import { useState } from 'react';
import { api } from '../../api/client';
import { describeError } from '../../api/errors';
import { useApiMutation } from '../../api/mutation';
import { Can, useCan } from '../../auth/Can';
import { DetailPage, Section } from '../../components/DetailPage';
import { Badge, Button, DateTime, ErrorNotice, Field, Input, StatusBadge, useToast } from '../../components/ui';
import { useDetailForm } from '../../components/useDetailForm';
import { type Customer, customerChanged, displayName, downloadExport, idempotent, useCustomer } from './api';
import { EraseDialog } from './EraseDialog';
import { NotesSection } from './NotesSection';
import { OrdersSection } from './OrdersSection';

interface ProfileValues {
  firstName: string;
  lastName: string;
  phone: string;
  /** Comma-separated, as typed; sent as a list. */
  tags: string;
}

const profileOf = (c: Customer): ProfileValues => ({
  firstName: c.firstName ?? '',
  lastName: c.lastName ?? '',
  phone: c.phone ?? '',
  tags: c.tags.join(', '),
});

const tagList = (text: string) => [
  ...new Set(
    text
      .split(',')
      .map((t) => t.trim())
      .filter(Boolean),
  ),
];

/** One customer: profile (names, phone, tags with If-Match), addresses, orders, notes, status and privacy requests. */
export default function CustomerDetailPage() {
  const { customerId = '' } = useParams({ strict: false }) as { customerId?: string };
  const query = useCustomer(customerId);
  const c = query.data;
  const canWrite = useCan('customers:write') && !c?.erased;
  const form = useDetailForm<ProfileValues, Customer>({
    initial: c ? profileOf(c) : undefined,
    version: c?.version,
    save: async (v, { ifMatch, idempotencyKey }) =>
      (
        await api.PATCH('/v1/admin/customers/{id}', {
          params: { path: { id: customerId } },
          body: {
            firstName: v.firstName.trim() || null,
            lastName: v.lastName.trim() || null,
            phone: v.phone.trim() || null,
            tags: tagList(v.tags),
          },
          headers: { 'If-Match': ifMatch, 'Idempotency-Key': idempotencyKey },
        })
      ).data,
    invalidate: customerChanged(customerId),
  });

  return (
    <DetailPage
      title={c ? displayName(c) : 'Customer'}
      description={c ? <StatusLine customer={c} /> : undefined}
      back={{ to: '/customers', label: 'Customers' }}
      loading={query.isPending}
      error={query.error}
      onReload={() => query.refetch()}
      form={canWrite ? form : undefined}
      actions={c ? <Actions customer={c} /> : null}
    >
      {c && form.values ? (
        <>
          <Section title="Profile">
            <div className="grid gap-4 sm:grid-cols-2">
              <Field label="Email">
                <Input value={c.email} readOnly />
              </Field>
              <Field label="Phone" name="phone" fieldErrors={form.fieldErrors}>
                <Input
                  type="tel"
                  value={form.values.phone}
                  readOnly={!canWrite}
                  onChange={(e) => form.set('phone', e.target.value)}
                />
              </Field>
              <Field label="First name" name="firstName" fieldErrors={form.fieldErrors}>
                <Input
                  value={form.values.firstName}
                  readOnly={!canWrite}
                  onChange={(e) => form.set('firstName', e.target.value)}
                />
              </Field>
              <Field label="Last name" name="lastName" fieldErrors={form.fieldErrors}>
                <Input
                  value={form.values.lastName}
                  readOnly={!canWrite}
                  onChange={(e) => form.set('lastName', e.target.value)}
                />
              </Field>
              <Field
                label="Tags"
                hint={canWrite ? 'Separate with commas, e.g. vip, wholesale' : undefined}
                error={Object.entries(form.fieldErrors).find(([k]) => k.startsWith('/body/tags'))?.[1]}
                className="sm:col-span-2"
              >
                <Input
                  value={form.values.tags}
                  readOnly={!canWrite}
                  onChange={(e) => form.set('tags', e.target.value)}
                />
              </Field>
            </div>
            <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm">
              <dt className="text-gray-600">Email verified</dt>
              <dd>{c.emailVerified ? 'Yes' : 'No'}</dd>
              <dt className="text-gray-600">Customer since</dt>
              <dd>
                <DateTime value={c.createdAt} />
              </dd>
              <dt className="text-gray-600">Last sign-in</dt>
              <dd>
                <DateTime value={c.lastLoginAt} />
              </dd>
            </dl>
          </Section>
          <OrdersSection customer={c} />
          <Section title="Addresses">
            {c.addresses.length === 0 ? (
              <p className="text-sm text-gray-700">No saved addresses.</p>
            ) : (
              <ul className="grid gap-3 sm:grid-cols-2">
                {c.addresses.map((a) => (
                  <li key={a.id} className="rounded-md border border-gray-200 p-3 text-sm">
                    <address className="not-italic break-words">
                      {a.firstName} {a.lastName}
                      {a.company ? <div>{a.company}</div> : null}
                      <div>{a.line1}</div>
                      {a.line2 ? <div>{a.line2}</div> : null}
                      <div>
                        {a.postalCode} {a.city}
                        {a.region ? `, ${a.region}` : ''}
                      </div>
                      <div>{a.countryCode}</div>
                      {a.phone ? <div>{a.phone}</div> : null}
                    </address>
                    <div className="mt-2 flex flex-wrap gap-1">
                      {a.isDefaultShipping ? <Badge tone="info">Default shipping</Badge> : null}
                      {a.isDefaultBilling ? <Badge tone="info">Default billing</Badge> : null}
                    </div>
                  </li>
                ))}
              </ul>
            )}
          </Section>
          <NotesSection customer={c} />
        </>
      ) : null}
    </DetailPage>
  );
}

function StatusLine({ customer: c }: { customer: Customer }) {
  return (
    <span className="inline-flex flex-wrap items-center gap-2">
      <StatusBadge status={c.status} />
      {c.erased ? (
        <>
          <Badge>Erased</Badge>
          <span>
            Personal data erased <DateTime value={c.erasedAt} />
          </span>
        </>
      ) : (
        <span className="break-all">{c.email}</span>
      )}
    </span>
  );
}

/** Export (access request), disable/enable, erase (erasure request): each shown only with its permission. */
function Actions({ customer: c }: { customer: Customer }) {
  const toast = useToast();
  const [exportError, setExportError] = useState<unknown>(undefined);
  const [exporting, setExporting] = useState(false);
  const status = useApiMutation({
    mutationFn: async (verb: 'disable' | 'enable', { idempotencyKey }) =>
      (
        await api.POST(verb === 'disable' ? '/v1/admin/customers/{id}/disable' : '/v1/admin/customers/{id}/enable', {
          params: { path: { id: c.id } },
          ...idempotent(idempotencyKey),
        })
      ).data,
    invalidate: customerChanged(c.id),
    onSuccess: (_r, verb) => toast(verb === 'disable' ? 'Customer disabled and signed out' : 'Customer enabled'),
    onError: (e) => toast(describeError(e).title, { tone: 'error' }),
  });
  return (
    <>
      <Can permission="customers:export">
        <Button
          loading={exporting}
          onClick={async () => {
            setExporting(true);
            setExportError(undefined);
            try {
              await downloadExport(c.id);
              toast('Export downloaded');
            } catch (e) {
              setExportError(e);
            } finally {
              setExporting(false);
            }
          }}
        >
          Export data
        </Button>
      </Can>
      {c.erased ? null : (
        <Can permission="customers:write">
          <Button
            loading={status.isPending}
            onClick={() => status.mutate(c.status === 'enabled' ? 'disable' : 'enable')}
          >
            {c.status === 'enabled' ? 'Disable' : 'Enable'}
          </Button>
        </Can>
      )}
      {c.erased ? null : (
        <Can permission="customers:erase">
          <EraseDialog customer={c} />
        </Can>
      )}
      {exportError ? (
        <div className="basis-full">
          <ErrorNotice error={describeError(exportError)} />
        </div>
      ) : null}
    </>
  );
}
