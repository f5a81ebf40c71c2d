import type { MaybeOptionalInit } from 'openapi-fetch';
import type { RequiredKeysOf } from 'openapi-typescript-helpers';
import type { BackroomClient } from './client.js';
import type { paths } from './schema.js';

type GetOperation<P extends keyof paths> = paths[P] extends { get: infer O } ? O : never;
type OkBody<O> = O extends { responses: { 200: { content: { 'application/json': infer B } } } } ? B : never;
type Query<O> = O extends { parameters: { query?: infer Q } } ? NonNullable<Q> : never;

/** The GET paths that answer a cursor-paged list (`{ data: [...], nextCursor }` and a `cursor` query parameter). */
export type PagedPath = {
  [P in keyof paths]: OkBody<GetOperation<P>> extends { data: readonly unknown[]; nextCursor: string | null }
    ? 'cursor' extends keyof Query<GetOperation<P>>
      ? P
      : never
    : never;
}[keyof paths];

/** One page of a paged list, as the API answers it. */
export type Page<P extends PagedPath> = OkBody<GetOperation<P>>;
/** One item of a paged list. */
export type PageItem<P extends PagedPath> = Page<P> extends { data: readonly (infer T)[] } ? T : never;

type PageInit<P extends PagedPath> = MaybeOptionalInit<paths[P], 'get'>;
type PageInitParam<P extends PagedPath> = RequiredKeysOf<PageInit<P>> extends never ? [PageInit<P>?] : [PageInit<P>];

/**
 * Every page of a cursor-paged list, first to last: the first request has the caller's query (filters, `limit`,
 * or a `cursor` to resume from), each next one the same query with the previous page's `nextCursor`, until it is
 * null. Typed by path: `paginatePages(client, '/v1/admin/orders', { params: { query: { limit: 100 } } })`.
 */
export async function* paginatePages<P extends PagedPath>(
  client: BackroomClient,
  path: P,
  ...init: PageInitParam<P>
): AsyncGenerator<Page<P>, void, undefined> {
  const base = (init[0] ?? {}) as { params?: { query?: Record<string, unknown> } };
  const get = client.GET as unknown as (url: string, init: object) => Promise<{ data: Page<P> }>;
  let cursor = base.params?.query?.cursor as string | undefined;
  for (;;) {
    const query = { ...base.params?.query, ...(cursor === undefined ? {} : { cursor }) };
    const { data } = await get(path, { ...base, params: { ...base.params, query } });
    yield data;
    const next = (data as { nextCursor: string | null }).nextCursor;
    if (next === null) return;
    // A server answering the same cursor again would page forever.
    if (next === cursor) throw new Error(`${path}: the API answered the same nextCursor twice (${next})`);
    cursor = next;
  }
}

/** Every item of a cursor-paged list, fetching the next page only when the previous one has been consumed. */
export async function* paginate<P extends PagedPath>(
  client: BackroomClient,
  path: P,
  ...init: PageInitParam<P>
): AsyncGenerator<PageItem<P>, void, undefined> {
  for await (const page of paginatePages(client, path, ...init)) {
    yield* (page as { data: PageItem<P>[] }).data;
  }
}
