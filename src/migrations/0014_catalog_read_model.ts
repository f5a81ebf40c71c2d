import { type Kysely, sql } from 'kysely';

/**
 * Catalog read model: one denormalised document per (product, sales channel) that storefront
 * reads answer from in a single statement, a per-currency price range for price sort/filter, and
 * the vocabulary that typo-tolerant search expands query words against. Rebuilt by
 * `rebuildProductDocuments` / `applyVariantStock` in the transaction of every catalog change.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  // Variant availability: untracked (null) is always sellable; backorderable stock never runs out.
  await sql`
    create function catalog_stock_status(available integer, allow_backorder boolean, threshold integer)
    returns text language sql immutable parallel safe as $$
      select case
        when available is null then 'in_stock'
        when available <= 0 and not coalesce(allow_backorder, false) then 'out_of_stock'
        when available <= coalesce(threshold, 0) then 'low_stock'
        else 'in_stock' end
    $$`.execute(db);

  // Product availability from its variants' map { variantId: status }: the best variant wins.
  await sql`
    create function catalog_product_status(availability jsonb)
    returns text language sql immutable parallel safe as $$
      select case
        when exists (select 1 from jsonb_each_text(availability) e where e.value = 'in_stock') then 'in_stock'
        when exists (select 1 from jsonb_each_text(availability) e where e.value = 'low_stock') then 'low_stock'
        else 'out_of_stock' end
    $$`.execute(db);

  // "t-shirt" → "tshirt": indexed next to its parts so "tshirt", "t-shirt" and "t shirt" all match.
  await sql`
    create function catalog_joined_words(t text)
    returns text language sql immutable parallel safe as $$
      select coalesce(string_agg(replace(m[1], '-', ''), ' '), '')
      from regexp_matches(lower(t), '([a-z0-9]+(?:-[a-z0-9]+)+)', 'g') as m
    $$`.execute(db);

  // Optimal-string-alignment distance (Levenshtein + adjacent transposition at cost 1).
  // fuzzystrmatch has no Damerau variant and plain Levenshtein charges a swap 2, so "tshrit" would
  // be 2 edits from "tshirt". Only called on the few words a cheap length/levenshtein filter keeps.
  await sql`
    create function catalog_osa_distance(a text, b text)
    returns integer language plpgsql immutable strict parallel safe as $$
    declare
      la int := length(a); lb int := length(b);
      prev2 int[]; prev int[]; cur int[]; i int; j int; v int;
    begin
      if la = 0 then return lb; end if;
      if lb = 0 then return la; end if;
      prev := array(select generate_series(0, lb));
      for i in 1..la loop
        cur := array[i];
        for j in 1..lb loop
          v := least(prev[j + 1] + 1, cur[j] + 1,
                     prev[j] + case when substr(a, i, 1) = substr(b, j, 1) then 0 else 1 end);
          if i > 1 and j > 1 and substr(a, i, 1) = substr(b, j - 1, 1) and substr(a, i - 1, 1) = substr(b, j, 1) then
            v := least(v, prev2[j - 1] + 1);
          end if;
          cur := cur || v;
        end loop;
        prev2 := prev; prev := cur;
      end loop;
      return prev[lb + 1];
    end $$`.execute(db);

  await sql`
    create table product_document (
      product_id text not null references product (id) on delete cascade,
      sales_channel_id text not null references sales_channel (id) on delete cascade,
      handle text not null,
      title_sort text collate "C" not null,
      created_at timestamptz not null,
      tags text[] not null,
      -- every category the product is in, with all their ancestors (a parent lists its subtree)
      category_ids text[] not null,
      -- { collectionId: position } for membership and the collection's manual order
      collection_positions jsonb not null,
      variant_ids text[] not null,
      -- normalised title/tag words (vocabulary upkeep)
      words text[] not null,
      doc jsonb not null,
      -- { variantId: in_stock | low_stock | out_of_stock }; counts are read live when shown
      availability jsonb not null,
      stock_status text not null check (stock_status in ('in_stock', 'low_stock', 'out_of_stock')),
      search tsvector not null,
      primary key (sales_channel_id, product_id)
    )`.execute(db);
  await sql`create index product_document_product_idx on product_document (product_id)`.execute(db);
  await sql`create unique index product_document_handle_idx on product_document (sales_channel_id, handle)`.execute(db);
  await sql`create index product_document_newest_idx on product_document (sales_channel_id, created_at desc, product_id desc)`.execute(
    db,
  );
  await sql`create index product_document_title_idx on product_document (sales_channel_id, title_sort, product_id)`.execute(
    db,
  );
  for (const [name, expr] of [
    ['search', 'search'],
    ['category', 'category_ids'],
    ['collection', 'collection_positions'],
    ['tags', 'tags'],
    ['variants', 'variant_ids'],
    ['words', 'words'],
  ]) {
    await sql`create index ${sql.raw(`product_document_${name}_idx`)} on product_document using gin (${sql.raw(expr as string)})`.execute(
      db,
    );
  }

  // Price range per currency, so price sort/filter is an index range instead of jsonb digging.
  await sql`
    create table product_document_price (
      sales_channel_id text not null references sales_channel (id) on delete cascade,
      product_id text not null references product (id) on delete cascade,
      currency text not null,
      min_amount bigint not null,
      max_amount bigint not null,
      primary key (sales_channel_id, product_id, currency)
    )`.execute(db);
  await sql`create index product_document_price_sort_idx on product_document_price (sales_channel_id, currency, min_amount, product_id)`.execute(
    db,
  );

  // Search vocabulary: every title/tag word of a published document (and its English stem).
  await sql`
    create table catalog_word (
      word text collate "C" primary key,
      lexeme text
    )`.execute(db);
  await sql`create index catalog_word_length_idx on catalog_word (length(word))`.execute(db);
  await sql`create index catalog_word_lexeme_idx on catalog_word (lexeme)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table if exists catalog_word, product_document_price, product_document`.execute(db);
  await sql`drop function if exists catalog_osa_distance(text, text), catalog_joined_words(text), catalog_product_status(jsonb), catalog_stock_status(integer, boolean, integer)`.execute(
    db,
  );
}
