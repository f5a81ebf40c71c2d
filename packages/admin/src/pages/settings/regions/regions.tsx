import { useState } from 'react';
import { describeError } from '../../../api/errors';
import { Button, Card, EmptyState, ErrorNotice, PageHeader, Spinner } from '../../../components/ui';
import { type Region, useRegions } from './api';
import { RegionCard } from './RegionCard';
import { RegionDialog } from './RegionDialog';
import { TaxRatesSection } from './TaxRates';

/**
 * Regions, taxes and shipping (settings:manage): regions with their currency, countries and price convention;
 * tax rates per country/province and category; shipping options per region, with a preview of a sample cart
 * priced by the server's checkout rules.
 */
export default function RegionsPage() {
  const regions = useRegions();
  const rows = regions.data ?? [];
  const [dialog, setDialog] = useState<{ editing?: Region } | undefined>();
  return (
    <div className="space-y-4">
      <PageHeader
        title="Regions, taxes & shipping"
        description="Where you sell, in which currency, how it is taxed and what shipping costs."
        actions={
          <Button variant="primary" onClick={() => setDialog({})}>
            New region
          </Button>
        }
      />
      {regions.isError ? (
        <ErrorNotice error={describeError(regions.error)} />
      ) : regions.isPending ? (
        <div className="flex justify-center p-10">
          <Spinner label="Loading regions" />
        </div>
      ) : rows.length === 0 ? (
        <Card>
          <EmptyState
            title="No regions yet"
            description="Create a region with its currency and countries; carts need one to be priced."
          />
        </Card>
      ) : (
        rows.map((r) => <RegionCard key={r.id} region={r} onEdit={() => setDialog({ editing: r })} />)
      )}
      <TaxRatesSection />
      {dialog ? <RegionDialog editing={dialog.editing} onClose={() => setDialog(undefined)} /> : null}
    </div>
  );
}
