import { PageHeader } from '../../../components/ui';
import { ChannelsSection } from './ChannelsSection';
import { KeysSection } from './KeysSection';

/**
 * Sales channels and API keys (`keys:manage`): channels (list, create, edit), publishable keys per channel for
 * storefronts, and secret keys with scoped permissions — the value shown once with a copy button; expiry, last use,
 * revoke.
 */
export default function ChannelsPage() {
  return (
    <div className="space-y-4">
      <PageHeader
        title="Channels & API keys"
        description="Where you sell, and the keys storefronts and integrations use to reach the API."
      />
      <ChannelsSection />
      <KeysSection kind="publishable" />
      <KeysSection kind="secret" />
    </div>
  );
}
