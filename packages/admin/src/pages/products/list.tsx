import { Placeholder } from '../../components/Placeholder';

export default function ProductsListPage() {
  return <Placeholder title="Products" />;
}
