/**
 * Conditional GET (RFC 9110 §13.1.2): does an `If-None-Match` header match the current entity tag?
 * Comparison is weak (`W/"a"` matches `"a"`), `*` matches any current representation, and a list
 * matches when any of its tags does. Malformed members are skipped, never an error: a bad header
 * only costs the client a full answer.
 */

/** The opaque parts (without `W/` and the quotes) of the well-formed entity tags in a header value. */
export function entityTags(header: string): { any: boolean; tags: string[] } {
  const tags: string[] = [];
  let any = false;
  let i = 0;
  const n = header.length;
  while (i < n) {
    // Skip list separators and whitespace (OWS).
    while (i < n && (header[i] === ',' || header[i] === ' ' || header[i] === '\t')) i++;
    if (i >= n) break;
    if (header[i] === '*') {
      i++;
      while (i < n && (header[i] === ' ' || header[i] === '\t')) i++;
      if (i >= n || header[i] === ',') any = true;
    } else {
      if (header.startsWith('W/', i)) i += 2;
      if (header[i] === '"') {
        const end = header.indexOf('"', i + 1);
        if (end === -1) break; // unterminated: nothing after it can be read
        const opaque = header.slice(i + 1, end);
        // etagc = %x21 / %x23-7E / obs-text: no spaces, no control characters.
        if (/^[\x21\x23-\x7e\x80-\xff]*$/.test(opaque)) tags.push(opaque);
        i = end + 1;
      }
    }
    // Whatever is left of this member up to the next comma is junk: skip it.
    while (i < n && header[i] !== ',') i++;
  }
  return { any, tags };
}

/** The opaque part of an entity tag as we send it (`W/"x"` or `"x"` → `x`). */
const opaqueOf = (etag: string) => etag.replace(/^W\//, '').replace(/^"|"$/g, '');

/**
 * True when a GET carrying `header` may be answered `304 Not Modified` for a representation whose
 * entity tag is `etag`. Several `If-None-Match` headers count as one comma-joined list.
 */
export function ifNoneMatchMatches(header: string | string[] | undefined, etag: string): boolean {
  if (header === undefined) return false;
  const { any, tags } = entityTags(Array.isArray(header) ? header.join(',') : header);
  if (any) return true;
  const ours = opaqueOf(etag);
  return tags.includes(ours);
}
