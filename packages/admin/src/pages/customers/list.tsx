import { Placeholder } from '../../components/Placeholder';

export default function CustomersListPage() {
  return <Placeholder title="Customers" />;
}
