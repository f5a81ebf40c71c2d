import { Placeholder } from '../../components/Placeholder';

export default function NewProductPage() {
  return <Placeholder title="New product" />;
}
