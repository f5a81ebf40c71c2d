import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Can } from '../../../auth/Can';
import { Button, PageHeader } from '../../../components/ui';
import { fetchEndpoints, webhookKeys } from './api';
import { Deliveries } from './Deliveries';
import { EndpointDialog } from './EndpointDialog';
import { EndpointList } from './EndpointList';
import { SecretDialog } from './SecretDialog';

/**
 * Webhooks: the endpoints (disabled ones highlighted, with why), their event types, secret rotation (the new secret
 * shown once), a test ping, replay since a time, and the deliveries with status, attempts and the receiver's answer;
 * a delivery can be sent again.
 */
export default function WebhooksPage() {
  const [creating, setCreating] = useState(false);
  const [secret, setSecret] = useState<{ title: string; value: string } | undefined>(undefined);
  const [endpointFilter, setEndpointFilter] = useState<string | undefined>(undefined);
  const endpoints = useQuery({
    queryKey: webhookKeys.endpoints,
    queryFn: ({ signal }) => fetchEndpoints(signal),
    // Counts and last success/failure change while deliveries are being sent.
    refetchInterval: (q) => (q.state.data?.some((e) => e.pendingDeliveries > 0) ? 3000 : false),
  });

  return (
    <div className="space-y-5">
      <PageHeader
        title="Webhooks"
        description="Send the shop's events to your own services. Each request is signed with the endpoint's secret; failed deliveries are retried for about three days."
        actions={
          <Can permission="webhooks:manage">
            <Button variant="primary" onClick={() => setCreating(true)}>
              Add endpoint
            </Button>
          </Can>
        }
      />
      <EndpointList
        endpoints={endpoints}
        onSecret={(value) => setSecret({ title: 'New signing secret', value })}
        onShowDeliveries={setEndpointFilter}
      />
      <Deliveries endpoints={endpoints.data ?? []} endpointId={endpointFilter} onEndpointChange={setEndpointFilter} />
      {creating ? (
        <EndpointDialog
          onClose={() => setCreating(false)}
          onCreated={(value) => {
            setCreating(false);
            setSecret({ title: 'Endpoint added', value });
          }}
        />
      ) : null}
      {secret ? <SecretDialog title={secret.title} secret={secret.value} onClose={() => setSecret(undefined)} /> : null}
    </div>
  );
}
