import { type RawBuilder, sql } from 'kysely';

/**
 * Typo-tolerant full-text search as CTEs of the storefront list statement (so a search page is
 * still one statement). Each query word is normalised like the index (unaccent, lower case,
 * hyphens joined: "T-Shirt" → "tshirt"), then:
 *
 * - a word the catalog knows (itself, its English stem, or — for the last word while typing — a
 *   prefix of a catalog word) is used as is, so "shirt" never also finds "skirt";
 * - an unknown word of 5+ letters may be 1 edit away from a catalog word, 9+ letters 2 edits, with
 *   an adjacent transposition counting as one edit ("tshrit" → "tshirt", "swaeter" → "sweater").
 *   Candidates come from the `catalog_word` vocabulary: a length window (index) and fuzzystrmatch's
 *   C `levenshtein_less_equal` (a transposition costs it 2, so it is allowed 2k) cut the set down,
 *   then the exact optimal-string-alignment distance (plpgsql) decides.
 *
 * The tsquery ORs a word's alternatives and ANDs the words; the last word also matches as a prefix.
 * Defines the CTE `tsq(q tsquery)` (one row); callers `cross join tsq`.
 */

/** Words of a search string (at most 10, each at most 40 characters; normalised in SQL). */
export function searchWords(q: string): { words: string[]; prefixLast: boolean } {
  const words = q
    .split(/\s+/)
    .filter((w) => w !== '')
    .slice(0, 10)
    .map((w) => w.slice(0, 40));
  // A trailing space means the last word is finished: no prefix match.
  return { words, prefixLast: !/\s$/.test(q) };
}

export function searchCtes(q: string): RawBuilder<unknown> {
  const { words, prefixLast } = searchWords(q);
  return sql`
    qw as (
      select n.ord, n.w, length(n.w) as len,
        case when length(n.w) >= 9 then 2 when length(n.w) >= 5 then 1 else 0 end as k,
        ${prefixLast} and n.ord = max(n.ord) over () as prefix
      from (
        select u.ord, regexp_replace(lower(unaccent(u.raw)), '[^a-z0-9]+', '', 'g') as w
        from unnest(${words}::text[]) with ordinality as u(raw, ord)
      ) n
      where n.w <> ''
    ),
    known as (
      select qw.ord from qw
      where exists (select 1 from catalog_word c where c.word = qw.w)
        or exists (select 1 from catalog_word c where c.lexeme = (ts_lexize('english_stem', qw.w))[1])
        -- '{' sorts right after 'z' (collation "C"), so this is "starts with" on the primary key
        or (qw.prefix and exists (select 1 from catalog_word c where c.word > qw.w and c.word < qw.w || '{'))
    ),
    alts as (
      select qw.ord, qw.w || case when qw.prefix then ':*' else '' end as term from qw
      union
      select qw.ord, c.word from qw
      join catalog_word c on length(c.word) between qw.len - qw.k and qw.len + qw.k
        and levenshtein_less_equal(c.word, qw.w, 2 * qw.k) <= 2 * qw.k
        and catalog_osa_distance(c.word, qw.w) <= qw.k
      where qw.k > 0 and qw.ord not in (select ord from known)
    ),
    tsq as (
      select to_tsquery('english', string_agg('(' || g.terms || ')', ' & ' order by g.ord)) as q
      from (select ord, string_agg(term, ' | ' order by term) as terms from alts group by ord) g
    )`;
}
