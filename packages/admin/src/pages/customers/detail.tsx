import { Placeholder } from '../../components/Placeholder';

export default function CustomerDetailPage() {
  return <Placeholder title="Customer" />;
}
