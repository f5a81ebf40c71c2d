import { Placeholder } from '../../components/Placeholder';

export default function PackingSlipPage() {
  return <Placeholder title="Packing slip" />;
}
