import { Placeholder } from '../../components/Placeholder';

export default function AccountPage() {
  return <Placeholder title="Account" />;
}
