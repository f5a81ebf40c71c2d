import { Placeholder } from '../../components/Placeholder';

export default function OrderDetailPage() {
  return <Placeholder title="Order" />;
}
