import { Placeholder } from '../../components/Placeholder';

export default function ProductDetailPage() {
  return <Placeholder title="Product" />;
}
