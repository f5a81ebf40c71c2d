import type { LiveState } from '../../api/live';
import { Badge, type Tone } from '../../components/ui';

const liveBadges: Record<LiveState, { tone: Tone; text: string }> = {
  connecting: { tone: 'neutral', text: 'Connecting…' },
  open: { tone: 'success', text: 'Live' },
  reconnecting: { tone: 'warning', text: 'Reconnecting…' },
  failed: { tone: 'danger', text: 'Not live — reload to retry' },
};

/** Whether what the page shows follows the shop live (its stream is open). */
export function LiveBadge({ state }: { state: LiveState }) {
  const b = liveBadges[state];
  return (
    <span aria-live="polite" data-testid="live-state">
      <Badge tone={b.tone}>{b.text}</Badge>
    </span>
  );
}
