import { Placeholder } from '../../components/Placeholder';

export default function MfaSetupPage() {
  return <Placeholder title="Set up two-factor authentication" />;
}
