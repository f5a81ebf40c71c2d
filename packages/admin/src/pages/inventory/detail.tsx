import { useQuery } from '@tanstack/react-query';
import { Link, useParams } from '@tanstack/react-router';
import { Can, useCan } from '../../auth/Can';
import { DetailPage } from '../../components/DetailPage';
import { Badge, Card, Table, TBody, Td, THead, Th, Tr } from '../../components/ui';
import { AdjustForm } from './adjust-form';
import { fetchItem, fetchLocations, inventoryKeys } from './api';
import { LocationName, Sellable } from './levels';
import { LiveBadge, useLiveStock } from './live';
import { MovementHistory } from './movements';
import { productOfSku } from './products';
import { SettingsForm } from './settings-form';
import { TransferForm } from './transfer-form';

/**
 * One inventory item: its levels per location, adjustments (compare-and-set), transfers, stock settings and the
 * movement history. Levels and history follow the stock stream, so a sale or another member's change shows at once.
 */
export default function InventoryDetailPage() {
  const { itemId = '' } = useParams({ strict: false }) as { itemId?: string };
  const canReadCatalog = useCan('catalog:read');
  const item = useQuery({ queryKey: inventoryKeys.item(itemId), queryFn: ({ signal }) => fetchItem(itemId, signal) });
  const locations = useQuery({ queryKey: inventoryKeys.locations, queryFn: ({ signal }) => fetchLocations(signal) });
  const sku = item.data?.sku;
  const product = useQuery({
    queryKey: ['inventory', 'product-of', sku],
    queryFn: ({ signal }) => productOfSku(sku ?? '', signal),
    enabled: Boolean(sku) && canReadCatalog,
    staleTime: 60_000,
  });
  const live = useLiveStock(itemId);

  const byId = new Map((locations.data ?? []).map((l) => [l.id, l]));
  const locationName = (id: string) => {
    const l = byId.get(id);
    return l ? `${l.name} (${l.code})` : (item.data?.levels.find((x) => x.locationId === id)?.locationCode ?? id);
  };

  const data = item.data;
  return (
    <DetailPage
      title={data ? data.sku : 'Inventory item'}
      back={{ to: '/inventory', label: 'Inventory' }}
      loading={item.isPending}
      error={item.error}
      onReload={() => item.refetch()}
      description={
        data ? (
          <span className="inline-flex flex-wrap items-center gap-2">
            {product.data ? (
              <Link
                to="/products/$productId"
                params={{ productId: product.data.productId }}
                className="text-accent-700 hover:underline"
              >
                {product.data.title}
              </Link>
            ) : null}
            {data.tracked ? null : <Badge>Not tracked</Badge>}
            {data.allowBackorder ? <Badge tone="info">Backorders allowed</Badge> : null}
            <LiveBadge state={live} />
          </span>
        ) : undefined
      }
    >
      {data ? (
        <div className="space-y-5">
          <Card title="Stock by location">
            {/* A table from tablet width; one card per location on a phone. */}
            <div className="hidden sm:block">
              <Table aria-label="Stock by location">
                <THead>
                  <tr>
                    <Th>Location</Th>
                    <Th className="text-right">On hand</Th>
                    <Th className="text-right">Reserved</Th>
                    <Th className="text-right">Held</Th>
                    <Th className="text-right">Available</Th>
                  </tr>
                </THead>
                <TBody>
                  {data.levels.map((l) => (
                    <Tr key={l.locationId} data-location={l.locationCode}>
                      <Td>
                        <LocationName level={l} name={byId.get(l.locationId)?.name} />
                      </Td>
                      <Td className="text-right tabular-nums" data-col="onHand">
                        {l.onHand}
                      </Td>
                      <Td className="text-right tabular-nums">{l.reserved}</Td>
                      <Td className="text-right tabular-nums">{l.held}</Td>
                      <Td className="text-right tabular-nums" data-col="available">
                        {l.available}
                      </Td>
                    </Tr>
                  ))}
                </TBody>
              </Table>
            </div>
            <ul className="space-y-3 sm:hidden" aria-label="Stock by location">
              {data.levels.map((l) => (
                <li key={l.locationId} data-location={l.locationCode}>
                  <p className="text-sm font-medium text-gray-900">
                    <LocationName level={l} name={byId.get(l.locationId)?.name} />
                  </p>
                  <dl className="mt-1 grid grid-cols-4 gap-2 text-sm">
                    {(
                      [
                        ['On hand', l.onHand],
                        ['Reserved', l.reserved],
                        ['Held', l.held],
                        ['Available', l.available],
                      ] as const
                    ).map(([label, n]) => (
                      <div key={label}>
                        <dt className="text-xs text-gray-700">{label}</dt>
                        <dd className="font-semibold tabular-nums">{n}</dd>
                      </div>
                    ))}
                  </dl>
                </li>
              ))}
            </ul>
            <p className="mt-3 flex flex-wrap items-center gap-2 text-sm text-gray-800">
              Sellable over active locations: <Sellable item={data} />
              <span className="text-gray-700">(low at ≤ {data.lowStockThreshold})</span>
            </p>
            <p className="mt-1 text-xs text-gray-700">
              Reserved: promised to placed orders. Held: in shoppers' carts at checkout. Available = on hand − reserved
              − held.
            </p>
          </Card>

          <div className="grid gap-5 lg:grid-cols-2">
            <Can permission="inventory:adjust">
              <Card title="Adjust stock">
                <AdjustForm key={data.id} item={data} locationName={locationName} />
              </Card>
              <Card title="Transfer between locations">
                <TransferForm key={data.id} item={data} locationName={locationName} />
              </Card>
            </Can>
            <Card title="Stock settings">
              <SettingsForm item={data} />
            </Card>
          </div>

          <Card title="Movement history">
            <MovementHistory
              itemId={data.id}
              locationIds={data.levels.map((l) => l.locationId)}
              locationName={locationName}
            />
          </Card>
        </div>
      ) : null}
    </DetailPage>
  );
}
