import { useMutation } from '@tanstack/react-query';
import { describeError } from '../../api/errors';
import { Button, Card, ErrorNotice, useToast } from '../../components/ui';
import { downloadProductsCsv } from './api';

const size = (bytes: number) =>
  bytes < 1024
    ? `${bytes} B`
    : bytes < 1024 * 1024
      ? `${Math.round(bytes / 1024)} KB`
      : `${(bytes / 1048576).toFixed(1)} MB`;

/** Downloads every product (prices and stock per location included) as a CSV in the import format. */
export function ExportCard() {
  const toast = useToast();
  // A read, not a change: a plain mutation for its pending/error state (no Idempotency-Key, nothing to invalidate).
  const download = useMutation({
    mutationFn: () => downloadProductsCsv(),
    onSuccess: ({ name, bytes }) => toast(`Downloaded ${name}`, { description: size(bytes) }),
  });
  return (
    <Card title="Export products">
      <p className="text-sm text-gray-800">
        Every product with its variants, prices and stock per location, in the import format: edit it in a spreadsheet
        and import it back.
      </p>
      {download.error ? (
        <div className="mt-3">
          <ErrorNotice error={describeError(download.error)} />
        </div>
      ) : null}
      <Button className="mt-4" variant="primary" loading={download.isPending} onClick={() => download.mutate()}>
        Download products CSV
      </Button>
    </Card>
  );
}
