/**
 * The bench's baseline: a bare HTTP server (no auth, validation, metrics or cache) answering the
 * storefront list and detail with one hand-written SQL query each. `/products` reads the same
 * precomputed documents Backroom serves (what the database allows for this data); `/joins/…`
 * assembles products from the write tables with joins, as a system without a read model must.
 */
import Fastify from 'fastify';
import postgres from 'postgres';

// Lazy: no connection until a catalog route runs (the platform scenario needs none).
const sql = postgres(process.env.DATABASE_URL || 'postgres://127.0.0.1/none', { max: 10, onnotice: () => {} });
const app = Fastify();

const productJson = `
  json_build_object('id', p.id, 'handle', p.handle, 'title', p.title, 'description', p.description,
    'variants', (select json_agg(json_build_object('id', v.id, 'sku', v.sku, 'title', v.title, 'options', v.option_values,
        'price', (select json_build_object('amount', vp.amount, 'currency', vp.currency_code)
                    from variant_price vp where vp.variant_id = v.id and vp.currency_code = 'EUR'),
        'available', (select vs.available from variant_stock vs where vs.variant_id = v.id)) order by v.position)
      from variant v where v.product_id = p.id))`;

app.get('/ready', async () => ({ ok: true }));
// Same answer as Backroom's liveness route: the per-request floor of Fastify itself.
app.get('/health/live', async () => ({ status: 'ok' }));

app.get<{ Querystring: { offset?: string } }>('/products', async (request) => {
  const rows = await sql`
    select doc from product_document where sales_channel_id = 'sc_default'
     order by created_at desc, product_id desc limit 20 offset ${Number(request.query.offset ?? 0)}`;
  return { data: rows.map((r) => r.doc) };
});

app.get<{ Params: { handle: string } }>('/products/:handle', async (request, reply) => {
  const rows =
    await sql`select doc from product_document where sales_channel_id = 'sc_default' and handle = ${request.params.handle}`;
  if (!rows[0]) return reply.code(404).send({ error: 'not found' });
  return rows[0].doc;
});

app.get<{ Querystring: { offset?: string } }>('/joins/products', async (request) => {
  const offset = Number(request.query.offset ?? 0);
  const rows = await sql.unsafe(
    `select ${productJson} as product from product p
      where p.status = 'active' and exists (select 1 from product_channel pc where pc.product_id = p.id and pc.sales_channel_id = 'sc_default')
      order by p.created_at desc, p.id desc limit 20 offset $1`,
    [offset],
  );
  return { data: rows.map((r) => r.product) };
});

app.get<{ Params: { handle: string } }>('/joins/products/:handle', async (request, reply) => {
  const rows = await sql.unsafe(
    `select ${productJson} as product from product p where p.handle = $1 and p.status = 'active'`,
    [request.params.handle],
  );
  if (!rows[0]) return reply.code(404).send({ error: 'not found' });
  return rows[0].product;
});

await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
process.on('SIGTERM', async () => {
  await app.close();
  await sql.end();
  process.exit(0);
});
