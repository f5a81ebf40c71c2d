import { sql } from 'kysely';

/** The order's fulfillments as a JSON array, for the order detail statement (`o` is the order row). Placeholder. */
export const fulfillmentsJson = sql`'[]'::json`;
