import { PageHeader } from './ui';

/** A page not built yet: its owner replaces the file's default export. */
export function Placeholder({ title }: { title: string }) {
  return (
    <div>
      <PageHeader title={title} />
      <p className="text-gray-700">Coming soon.</p>
    </div>
  );
}
