import { Placeholder } from '../../components/Placeholder';

export default function AcceptInvitePage() {
  return <Placeholder title="Accept invitation" />;
}
