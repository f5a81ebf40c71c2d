import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { useState } from 'react';
import { describeError } from '../../api/errors';
import {
  CursorPager,
  DateTime,
  EmptyState,
  ErrorNotice,
  Select,
  Spinner,
  Table,
  TBody,
  Td,
  THead,
  Th,
  Tr,
  useCursorStack,
} from '../../components/ui';
import { fetchMovements, inventoryKeys, type Movement, type MovementReason, movementReasons, reasonLabel } from './api';

const PAGE = 20;

const signed = (n: number) => (n > 0 ? `+${n}` : String(n));

/** What changed in one ledger row: on hand first, then reserved and held when they moved. */
function Change({ m }: { m: Movement }) {
  const parts: string[] = [];
  if (m.deltaOnHand) parts.push(`${signed(m.deltaOnHand)} on hand`);
  if (m.deltaReserved) parts.push(`${signed(m.deltaReserved)} reserved`);
  if (m.deltaHeld) parts.push(`${signed(m.deltaHeld)} held`);
  return <span className="tabular-nums whitespace-nowrap">{parts.join(', ') || '—'}</span>;
}

function Reference({ m }: { m: Movement }) {
  if (!m.referenceType || !m.referenceId) return <span className="text-gray-600">—</span>;
  if (m.referenceType === 'order') {
    return (
      <Link to="/orders/$orderId" params={{ orderId: m.referenceId }} className="text-accent-700 hover:underline">
        Order {m.referenceId}
      </Link>
    );
  }
  if (m.referenceType === 'import' && m.referenceId.startsWith('imp_')) {
    return (
      <Link to="/imports" search={{ job: m.referenceId } as never} className="text-accent-700 hover:underline">
        Import report
      </Link>
    );
  }
  // Adjustments and transfers are referenced by the id of the request that made them: useful to support, not here.
  const label = { adjustment: 'By hand', transfer: 'Transfer', cart: 'Cart', import: 'Import' }[m.referenceType];
  return (
    <span className="break-all" title={m.referenceId}>
      {label ?? m.referenceType}
      {m.referenceType === 'cart' ? <span className="text-gray-700"> {m.referenceId}</span> : null}
    </span>
  );
}

/** The item's stock ledger, newest first, paged with the API's cursor (a stack of cursors for "Newer"). */
export function MovementHistory({
  itemId,
  locationIds,
  locationName,
}: {
  itemId: string;
  locationIds: string[];
  locationName: (id: string) => string;
}) {
  const [locationId, setLocationId] = useState('');
  const [reason, setReason] = useState('');
  const pages = useCursorStack();
  const cursor = pages.cursor;
  const query = {
    limit: PAGE,
    ...(cursor ? { cursor } : {}),
    ...(locationId ? { locationId } : {}),
    ...(reason ? { reason: reason as MovementReason } : {}),
  };
  const movements = useQuery({
    queryKey: [...inventoryKeys.movements(itemId), query],
    queryFn: ({ signal }) => fetchMovements(itemId, query, signal),
    placeholderData: keepPreviousData,
  });
  const rows = movements.data?.data ?? [];

  return (
    <div className="space-y-3">
      <div className="flex flex-wrap gap-3">
        <div>
          <label className="block text-xs font-medium text-gray-700" htmlFor="movements-location">
            Location
          </label>
          <Select
            id="movements-location"
            value={locationId}
            placeholder="All locations"
            onChange={(e) => {
              setLocationId(e.target.value);
              pages.reset();
            }}
            options={locationIds.map((id) => ({ value: id, label: locationName(id) }))}
          />
        </div>
        <div>
          <label className="block text-xs font-medium text-gray-700" htmlFor="movements-reason">
            Reason
          </label>
          <Select
            id="movements-reason"
            value={reason}
            placeholder="All reasons"
            onChange={(e) => {
              setReason(e.target.value);
              pages.reset();
            }}
            options={movementReasons}
          />
        </div>
      </div>
      {movements.isError ? (
        <ErrorNotice error={describeError(movements.error)} />
      ) : movements.isPending ? (
        <Spinner label="Loading movements" />
      ) : rows.length === 0 ? (
        <EmptyState title="No movements" description="Every stock change is recorded here." />
      ) : (
        <>
          {/* A table from tablet width; cards on a phone (nine columns do not fit 390 px). */}
          <div className="hidden md:block">
            <Table aria-label="Movement history">
              <THead>
                <tr>
                  <Th>When</Th>
                  <Th>Location</Th>
                  <Th>Reason</Th>
                  <Th>Change</Th>
                  <Th className="text-right">On hand after</Th>
                  <Th className="text-right">Available after</Th>
                  <Th>Reference</Th>
                  <Th>Note</Th>
                  <Th>By</Th>
                </tr>
              </THead>
              <TBody>
                {rows.map((m) => (
                  <Tr key={m.id}>
                    <Td className="whitespace-nowrap">
                      <DateTime value={m.createdAt} />
                    </Td>
                    <Td>{locationName(m.locationId)}</Td>
                    <Td>{reasonLabel(m.reason)}</Td>
                    <Td>
                      <Change m={m} />
                    </Td>
                    <Td className="text-right tabular-nums">{m.after.onHand}</Td>
                    <Td className="text-right tabular-nums">{m.after.available}</Td>
                    <Td>
                      <Reference m={m} />
                    </Td>
                    <Td className="max-w-64 break-words">{m.note ?? ''}</Td>
                    <Td className="whitespace-nowrap">{m.actorType}</Td>
                  </Tr>
                ))}
              </TBody>
            </Table>
          </div>
          <ul className="divide-y divide-gray-100 md:hidden" aria-label="Movement history">
            {rows.map((m) => (
              <li key={m.id} className="py-2 text-sm">
                <div className="flex flex-wrap items-baseline justify-between gap-2">
                  <span className="font-medium text-gray-900">{reasonLabel(m.reason)}</span>
                  <DateTime value={m.createdAt} />
                </div>
                <div className="text-gray-800">
                  <Change m={m} /> at {locationName(m.locationId)}
                </div>
                <div className="text-gray-700 tabular-nums">
                  After: {m.after.onHand} on hand, {m.after.available} available
                </div>
                {m.referenceType ? (
                  <div>
                    <Reference m={m} />
                  </div>
                ) : null}
                {m.note ? <div className="break-words text-gray-800">{m.note}</div> : null}
              </li>
            ))}
          </ul>
        </>
      )}
      <CursorPager
        label="Movement pages"
        pages={pages}
        nextCursor={movements.data?.nextCursor}
        updating={movements.isFetching && !movements.isPending}
      />
    </div>
  );
}
