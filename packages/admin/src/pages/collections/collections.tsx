import { Placeholder } from '../../components/Placeholder';

export default function CollectionsPage() {
  return <Placeholder title="Collections" />;
}
