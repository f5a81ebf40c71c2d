import { Can } from '../../../auth/Can';
import { Card, PageHeader } from '../../../components/ui';
import { DisputesSection, MismatchesSection, WebhookEventsSection } from './ActivitySections';
import { GatewaysSection } from './GatewaysSection';
import { RegionsSection } from './RegionsSection';

/**
 * Payments settings: the gateways (secrets write-only), which providers each region offers and when it captures,
 * the gateways' webhooks and what each did, disputes, and the last reconciliation's differences.
 */
export default function Page() {
  return (
    <div className="space-y-6">
      <PageHeader
        title="Payments"
        description="Gateways, what each region offers, and what the gateways told us. Secrets are never shown."
      />
      <GatewaysSection />
      <Can permission="settings:manage">
        <Card title="Regions">
          <RegionsSection />
        </Card>
      </Can>
      <Card title="Disputes">
        <DisputesSection />
      </Card>
      <Can permission="events:read">
        <Card title="Reconciliation differences">
          <MismatchesSection />
        </Card>
      </Can>
      <Card title="Webhook events">
        <WebhookEventsSection />
      </Card>
    </div>
  );
}
