import { Placeholder } from '../../components/Placeholder';

export default function ImportsPage() {
  return <Placeholder title="Imports and exports" />;
}
