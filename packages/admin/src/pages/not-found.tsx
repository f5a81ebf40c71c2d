import { Link } from '@tanstack/react-router';
import { PageHeader } from '../components/ui';

export default function NotFoundPage() {
  return (
    <div className="mx-auto max-w-xl px-4 py-10">
      <PageHeader title="Page not found" description="There is no page at this address." />
      <Link to="/" className="font-medium text-accent-700 hover:underline">
        Go to Home
      </Link>
    </div>
  );
}
