import { Placeholder } from '../../components/Placeholder';

export default function InventoryDetailPage() {
  return <Placeholder title="Inventory item" />;
}
