import { sql } from 'kysely';

/** The order's returns as a JSON array, for the order detail statement (`o` is the order row). Placeholder. */
export const returnsJson = sql`'[]'::json`;
