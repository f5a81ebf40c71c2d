import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { useState } from 'react';
import { describeError } from '../../../api/errors';
import {
  CursorPager,
  DateTime,
  EmptyState,
  ErrorNotice,
  Field,
  Money,
  Select,
  Spinner,
  StatusBadge,
  Table,
  TBody,
  Td,
  THead,
  Th,
  Tr,
  useCursorStack,
} from '../../../components/ui';
import { fetchDisputes, fetchMismatches, fetchWebhookEvents, gatewayName, paymentKeys } from './api';

/** The gateways' webhooks as received, newest first, with what each did. */
export function WebhookEventsSection() {
  const events = useQuery({
    queryKey: paymentKeys.webhookEvents,
    queryFn: ({ signal }) => fetchWebhookEvents(signal),
  });
  if (events.isPending) return <Spinner label="Loading webhook events" />;
  if (events.isError) return <ErrorNotice error={describeError(events.error)} />;
  if (events.data.length === 0) {
    return <EmptyState title="No webhook events yet" description="Events from Stripe and PayPal show here." />;
  }
  // A list, not a table: it fits a phone without a scrolling region (which would need keyboard access).
  return (
    <ol className="-my-2 divide-y divide-gray-100" aria-label="Webhook events" data-testid="webhook-events">
      {events.data.map((e) => (
        <li key={`${e.provider}:${e.eventId}`} className="flex flex-col gap-1 py-2 text-sm sm:flex-row sm:gap-4">
          <div className="min-w-0 sm:w-72 sm:shrink-0">
            <div className="break-all font-mono text-xs">{e.providerType}</div>
            <div className="break-all text-xs text-gray-700">
              {gatewayName(e.provider)} · {e.eventId}
            </div>
          </div>
          <div className="min-w-0 flex-1">
            <StatusBadge status={e.status} /> <span className="break-words">{e.result ?? ''}</span>
            {e.lastError ? <div className="break-words text-xs text-red-700">{e.lastError}</div> : null}
          </div>
          <div className="shrink-0 text-xs text-gray-700">
            <DateTime value={e.receivedAt} />
          </div>
        </li>
      ))}
    </ol>
  );
}

const disputeStatuses = ['needs_response', 'under_review', 'won', 'lost', 'OPEN', 'UNDER_REVIEW', 'RESOLVED'];

/** Disputes (chargebacks) from the gateways, filterable by status, paged with the API's cursor. */
export function DisputesSection() {
  const [status, setStatus] = useState('');
  const pages = useCursorStack();
  const disputes = useQuery({
    queryKey: paymentKeys.disputes(status, pages.cursor),
    queryFn: ({ signal }) => fetchDisputes(status, pages.cursor, signal),
    placeholderData: keepPreviousData,
  });
  return (
    <div className="space-y-3">
      <Field label="Status" className="max-w-xs">
        <Select
          value={status}
          onChange={(e) => {
            setStatus(e.target.value);
            pages.reset();
          }}
          placeholder="Any status"
          options={disputeStatuses.map((s) => ({ value: s, label: s }))}
        />
      </Field>
      {disputes.isPending ? (
        <Spinner label="Loading disputes" />
      ) : disputes.isError ? (
        <ErrorNotice error={describeError(disputes.error)} />
      ) : disputes.data.data.length === 0 ? (
        <EmptyState title="No disputes" description="Chargebacks reported by the gateways show here." />
      ) : (
        <>
          <Table aria-label="Disputes" data-testid="disputes">
            <THead>
              <tr>
                <Th>Opened</Th>
                <Th className="hidden sm:table-cell">Gateway</Th>
                <Th>Status</Th>
                <Th className="hidden md:table-cell">Reason</Th>
                <Th className="text-right">Amount</Th>
                <Th>Order</Th>
              </tr>
            </THead>
            <TBody>
              {disputes.data.data.map((d) => (
                <Tr key={`${d.provider}:${d.disputeId}`}>
                  <Td className="sm:whitespace-nowrap">
                    <DateTime value={d.openedAt} />
                  </Td>
                  <Td className="hidden sm:table-cell">{gatewayName(d.provider)}</Td>
                  <Td>
                    <StatusBadge status={d.status} />
                    <div className="text-xs text-gray-700 md:hidden">{d.reason ?? ''}</div>
                  </Td>
                  <Td className="hidden md:table-cell">{d.reason ?? '—'}</Td>
                  <Td className="text-right">
                    {d.amount !== null && d.currency ? (
                      <Money value={{ amount: d.amount, currency: d.currency }} />
                    ) : (
                      '—'
                    )}
                  </Td>
                  <Td>
                    {d.orderId ? (
                      <Link
                        to="/orders/$orderId"
                        params={{ orderId: d.orderId }}
                        className="whitespace-nowrap text-accent-700 underline"
                      >
                        Open order
                      </Link>
                    ) : (
                      '—'
                    )}
                  </Td>
                </Tr>
              ))}
            </TBody>
          </Table>
          <CursorPager
            label="Dispute pages"
            pages={pages}
            nextCursor={disputes.data.nextCursor}
            updating={disputes.isPlaceholderData}
          />
        </>
      )}
    </div>
  );
}

const str = (v: unknown) => (v === null || v === undefined ? '—' : String(v));

/** The last reconciliation's differences: our ledger against each gateway (`payment.mismatch` events). */
export function MismatchesSection() {
  const events = useQuery({ queryKey: paymentKeys.mismatches, queryFn: ({ signal }) => fetchMismatches(signal) });
  if (events.isPending) return <Spinner label="Loading differences" />;
  if (events.isError) return <ErrorNotice error={describeError(events.error)} />;
  if (events.data.length === 0) {
    return (
      <EmptyState
        title="No differences"
        description="Where the scheduled reconciliation finds our payments and a gateway's differ, each difference shows here."
      />
    );
  }
  return (
    <ol className="-my-2 divide-y divide-gray-100" aria-label="Reconciliation differences" data-testid="mismatches">
      {events.data.map((e) => {
        const p = e.payload;
        return (
          <li key={e.id} className="flex flex-col gap-1 py-2 text-sm sm:flex-row sm:gap-4">
            <div className="min-w-0 sm:w-72 sm:shrink-0">
              <div className="break-all font-mono text-xs">
                {str(p.paymentId ?? p.providerReference ?? e.aggregateId)}
              </div>
              <div className="text-xs text-gray-700">{gatewayName(str(p.provider))}</div>
            </div>
            <div className="min-w-0 flex-1 break-words">
              <span className="font-medium">{str(p.field ?? p.outcome)}</span>: ours {str(p.ours)}, the gateway’s{' '}
              {str(p.theirs)}
            </div>
            <div className="shrink-0 text-xs text-gray-700">
              <DateTime value={e.createdAt} />
            </div>
          </li>
        );
      })}
    </ol>
  );
}
