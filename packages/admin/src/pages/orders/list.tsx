import { Placeholder } from '../../components/Placeholder';

export default function OrdersListPage() {
  return <Placeholder title="Orders" />;
}
