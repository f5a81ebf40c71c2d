import { Placeholder } from '../../components/Placeholder';

export default function CategoriesPage() {
  return <Placeholder title="Categories" />;
}
