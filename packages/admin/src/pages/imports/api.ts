import type { paths } from '@backroom/client';
import { api } from '../../api/client';

export type ImportJob = paths['/v1/admin/imports/{id}']['get']['responses']['200']['content']['application/json'];
export type ImportJobSummary =
  paths['/v1/admin/imports']['get']['responses']['200']['content']['application/json']['data'][number];
export type RowError = ImportJob['errors'][number];

export const importKeys = {
  all: ['imports'] as const,
  list: (cursor: string | undefined) => ['imports', 'list', cursor ?? ''] as const,
  job: (id: string) => ['imports', 'job', id] as const,
};

/** Still being validated or imported: the page keeps reading the job. */
export const isActive = (status: ImportJobSummary['status']) => status === 'queued' || status === 'running';

/**
 * Uploads the CSV as the request body (`text/csv`, the route's only media type). openapi-fetch would JSON-encode a
 * string body, so the text is passed through as is; the client still adds the credentials and the Idempotency-Key.
 */
export async function uploadCsv(csv: string, partial: boolean, idempotencyKey: string): Promise<ImportJob> {
  const { data } = await api.POST('/v1/admin/imports', {
    params: { query: { partial } },
    body: csv,
    bodySerializer: (body) => body,
    headers: { 'content-type': 'text/csv; charset=utf-8', 'Idempotency-Key': idempotencyKey },
  });
  return data;
}

export async function fetchJob(id: string, signal?: AbortSignal): Promise<ImportJob> {
  return (await api.GET('/v1/admin/imports/{id}', { params: { path: { id } }, signal })).data;
}

export async function fetchJobs(cursor: string | undefined, signal?: AbortSignal) {
  return (
    await api.GET('/v1/admin/imports', { params: { query: { limit: 10, ...(cursor ? { cursor } : {}) } }, signal })
  ).data;
}

/** The file name the server gives (`Content-Disposition`), else `products.csv`. */
function fileNameOf(response: Response): string {
  const header = response.headers.get('content-disposition') ?? '';
  const match = /filename="?([^";]+)"?/i.exec(header);
  return match?.[1] ?? 'products.csv';
}

/**
 * Downloads the products export through the client (the staff token is a header, so a plain link cannot carry it)
 * and saves it with a temporary Blob link.
 */
export async function downloadProductsCsv(signal?: AbortSignal): Promise<{ name: string; bytes: number }> {
  const { data, response } = await api.GET('/v1/admin/exports/products.csv', { parseAs: 'blob', signal });
  const blob = data as unknown as Blob;
  const name = fileNameOf(response);
  const url = URL.createObjectURL(blob);
  try {
    const link = document.createElement('a');
    link.href = url;
    link.download = name;
    link.hidden = true;
    document.body.append(link);
    link.click();
    link.remove();
  } finally {
    // The click has started the download; the URL is freed a little later (some browsers read it asynchronously).
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  }
  return { name, bytes: blob.size };
}
