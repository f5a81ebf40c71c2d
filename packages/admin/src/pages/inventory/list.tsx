import { Placeholder } from '../../components/Placeholder';

export default function InventoryListPage() {
  return <Placeholder title="Inventory" />;
}
