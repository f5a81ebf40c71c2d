import { type FormEvent, useId, useRef, useState } from 'react';
import { describeError } from '../../api/errors';
import { useApiMutation } from '../../api/mutation';
import { Button, Checkbox, ErrorNotice, Field, Input } from '../../components/ui';
import { type ImportJob, importKeys, uploadCsv } from './api';

/** The server's upload limit (IMPORT_BODY_LIMIT): checked here too, so a huge file is refused before it is sent. */
const MAX_BYTES = 50 * 1024 * 1024;

/** Choose a CSV file and send it; the server queues a job, which the page then follows. */
export function UploadForm({ onQueued }: { onQueued: (job: ImportJob) => void }) {
  const input = useRef<HTMLInputElement>(null);
  const partialId = useId();
  const [file, setFile] = useState<File | undefined>(undefined);
  const [partial, setPartial] = useState(false);
  const [invalid, setInvalid] = useState<string | undefined>(undefined);

  const mutation = useApiMutation({
    mutationFn: (vars: { csv: string; partial: boolean }, { idempotencyKey }) =>
      uploadCsv(vars.csv, vars.partial, idempotencyKey),
    invalidate: [importKeys.all],
    onSuccess: (job) => {
      setFile(undefined);
      if (input.current) input.current.value = '';
      onQueued(job);
    },
  });

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!file) return setInvalid('Choose a CSV file');
    if (file.size > MAX_BYTES) return setInvalid('The file is larger than 50 MB: split it into several files');
    if (file.size === 0) return setInvalid('The file is empty');
    setInvalid(undefined);
    mutation.mutate({ csv: await file.text(), partial });
  };

  const failure = mutation.error ? describeError(mutation.error) : undefined;
  return (
    <form onSubmit={submit} className="space-y-4" aria-label="Upload a CSV">
      <Field label="CSV file" error={invalid} hint="One row per variant, UTF-8, the header on the first line.">
        <Input
          ref={input}
          type="file"
          accept=".csv,text/csv"
          className="h-auto py-2"
          onChange={(e) => {
            setFile(e.target.files?.[0]);
            setInvalid(undefined);
            mutation.reset();
          }}
        />
      </Field>
      <label htmlFor={partialId} className="flex items-start gap-2 text-sm text-gray-900">
        <Checkbox id={partialId} className="mt-0.5" checked={partial} onChange={(e) => setPartial(e.target.checked)} />
        <span>
          Import the valid products even if other rows have problems
          <span className="block text-gray-700">
            Otherwise a file with any problem changes nothing, and the report lists every problem.
          </span>
        </span>
      </label>
      {failure ? <ErrorNotice error={failure} /> : null}
      <Button type="submit" variant="primary" loading={mutation.isPending}>
        Upload and import
      </Button>
    </form>
  );
}
