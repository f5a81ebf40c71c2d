/**
 * The checkout bench's baseline: a bare HTTP server (no auth, validation, metrics, events, audit or
 * promotions) serving the storefront checkout routes with hand-written SQL over the SAME database and
 * tables Backroom uses. Paths mirror Backroom's (`/v1/store/carts…`) so the bench drives both with the
 * same code. Completion is the minimal correct equivalent of Backroom's: one transaction that locks the
 * cart, prices its lines from the variant prices (tax included, 19% read from tax_rate), takes the
 * stock with one conditional update of inventory_level (available ≥ quantity) plus a stock_movement
 * ledger row, inserts the order, its lines and an authorized payment and marks the cart completed.
 */
import { randomBytes } from 'node:crypto';
import Fastify from 'fastify';
import postgres from 'postgres';

// Same pool size as Backroom's default DATABASE_POOL_MAX.
const sql = postgres(process.env.DATABASE_URL ?? '', { max: 10, onnotice: () => {} });
const app = Fastify();
const id = (prefix: string) => `${prefix}_${randomBytes(13).toString('hex')}`;

app.get('/ready', async () => ({ ok: true }));

app.post<{ Body: { regionId: string } }>('/v1/store/carts', async (request, reply) => {
  const cartId = id('cart');
  const rows = await sql`
    insert into cart (id, sales_channel_id, region_id, currency_code, country_code)
    select ${cartId}, 'sc_default', r.id, r.currency_code,
           (select min(rc.country_code) from region_country rc where rc.region_id = r.id)
      from region r where r.id = ${request.body.regionId}
    returning id, status, currency_code, region_id, country_code`;
  if (!rows[0]) return reply.code(422).send({ error: 'unknown region' });
  return reply.code(201).send(rows[0]);
});

app.post<{ Params: { id: string }; Body: { variantId: string; quantity: number } }>(
  '/v1/store/carts/:id/lines',
  async (request, reply) => {
    const { variantId, quantity } = request.body;
    // One statement: the line (merged with an existing one), only into an open cart, priced in its currency.
    const rows = await sql`
      with c as (select id, currency_code from cart where id = ${request.params.id} and status = 'open'),
      l as (insert into cart_line (id, cart_id, variant_id, quantity)
            select ${id('cline')}, c.id, ${variantId}, ${quantity} from c
            on conflict (cart_id, variant_id) do update set quantity = cart_line.quantity + excluded.quantity
            returning id, cart_id, variant_id, quantity)
      select l.id, l.variant_id, l.quantity, vp.amount as unit_price, vp.amount * l.quantity as subtotal, c.currency_code
        from l join c on c.id = l.cart_id
        join variant_price vp on vp.variant_id = l.variant_id and vp.currency_code = c.currency_code`;
    if (!rows[0]) return reply.code(404).send({ error: 'cart or price not found' });
    return { id: request.params.id, lines: rows, total: Number(rows[0].subtotal) };
  },
);

app.patch<{ Params: { id: string }; Body: { email: string; shippingAddress: Record<string, string> } }>(
  '/v1/store/carts/:id',
  async (request, reply) => {
    const rows = await sql`
      update cart set email = ${request.body.email}, shipping_address = ${sql.json(request.body.shippingAddress)},
             country_code = ${request.body.shippingAddress.countryCode ?? null}, updated_at = now()
       where id = ${request.params.id} and status = 'open' returning id, email`;
    if (!rows[0]) return reply.code(404).send({ error: 'not found' });
    return rows[0];
  },
);

app.get<{ Params: { id: string } }>('/v1/store/carts/:id/shipping-options', async (request) => {
  return sql`
    select so.id, so.name, so.amount from cart c join shipping_option so on so.region_id = c.region_id
     where c.id = ${request.params.id} and so.active order by so.name`;
});

app.post<{ Params: { id: string }; Body: { optionId: string } }>(
  '/v1/store/carts/:id/shipping-method',
  async (request, reply) => {
    const rows = await sql`
      update cart c set shipping_option_id = so.id, updated_at = now() from shipping_option so
       where c.id = ${request.params.id} and c.status = 'open' and so.id = ${request.body.optionId}
         and so.region_id = c.region_id returning c.id, so.id as option_id`;
    if (!rows[0]) return reply.code(404).send({ error: 'not found' });
    return rows[0];
  },
);

app.post<{ Params: { id: string }; Body: { provider: string } }>(
  '/v1/store/carts/:id/payment',
  async (request, reply) => {
    const rows = await sql`
    update cart set payment_provider = ${request.body.provider}, updated_at = now()
     where id = ${request.params.id} and status = 'open' returning id, payment_provider`;
    if (!rows[0]) return reply.code(404).send({ error: 'not found' });
    return rows[0];
  },
);

interface LineRow {
  variant_id: string;
  quantity: number;
  unit_price: string;
  sku: string;
  variant_title: string;
  product_id: string;
  title: string;
  item_id: string;
}

class Refused extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
  ) {
    super(code);
  }
}

/** Half-up tax contained in an amount that includes it (rate in thousandths of a percent). */
const taxIn = (gross: number, rate: number) =>
  Math.floor((gross * rate * 2 + (100_000 + rate)) / (2 * (100_000 + rate)));

app.post<{ Params: { id: string } }>('/v1/store/carts/:id/complete', async (request, reply) => {
  const cartId = request.params.id;
  try {
    const result = await sql.begin(async (tx) => {
      const [cart] = await tx`
        select c.id, c.status, c.email, c.currency_code, c.region_id, c.sales_channel_id, c.shipping_address,
               c.payment_provider, so.id as option_id, so.name as option_name, so.amount as shipping,
               so.stock_location_id, coalesce(tr.rate, 0) as rate
          from cart c
          join shipping_option so on so.id = c.shipping_option_id
          left join tax_rate tr on tr.country_code = c.country_code and tr.province_code is null
         where c.id = ${cartId} for update of c`;
      if (!cart) throw new Refused(404, 'NOT_FOUND');
      if (cart.status !== 'open') throw new Refused(409, 'CART_NOT_OPEN');
      if (!cart.email || !cart.shipping_address || !cart.payment_provider) throw new Refused(422, 'CART_INCOMPLETE');
      const lines = await tx<LineRow[]>`
        select l.variant_id, l.quantity, vp.amount as unit_price, v.sku, v.title as variant_title, v.product_id,
               p.title, i.id as item_id
          from cart_line l
          join variant v on v.id = l.variant_id
          join product p on p.id = v.product_id
          join variant_price vp on vp.variant_id = l.variant_id and vp.currency_code = ${cart.currency_code}
          join inventory_item i on i.variant_id = l.variant_id
         where l.cart_id = ${cartId} order by i.id`;
      if (lines.length === 0) throw new Refused(422, 'CART_INCOMPLETE');
      const rate = Number(cart.rate);
      const priced = lines.map((l) => {
        const subtotal = Number(l.unit_price) * l.quantity;
        return { ...l, subtotal, tax: taxIn(subtotal, rate) };
      });
      const subtotal = priced.reduce((s, l) => s + l.subtotal, 0);
      const shipping = Number(cart.shipping);
      const taxTotal = priced.reduce((s, l) => s + l.tax, 0) + taxIn(shipping, rate);
      const total = subtotal + shipping;
      const orderId = id('order');

      // Stock: one conditional statement for every line (levels locked in item order), with its ledger rows.
      const taken = await tx`
        with want as (select * from unnest(${priced.map((l) => l.item_id)}::text[], ${priced.map((l) => l.quantity)}::int[])
                        as t(item_id, q)),
        upd as (update inventory_level lv set reserved = lv.reserved + w.q, updated_at = now()
                  from want w
                 where lv.item_id = w.item_id and lv.location_id = ${cart.stock_location_id}
                   and lv.on_hand - lv.reserved - lv.held >= w.q
                returning lv.item_id, lv.on_hand, lv.reserved, lv.held, w.q)
        insert into stock_movement (item_id, location_id, delta_on_hand, delta_reserved, delta_held,
                                    on_hand_after, reserved_after, held_after, reason, reference_type, reference_id, actor_type)
        select item_id, ${cart.stock_location_id}, 0, q, 0, on_hand, reserved, held, 'sold', 'order', ${orderId}, 'customer'
          from upd
        returning item_id`;
      if (taken.length !== priced.length) throw new Refused(409, 'INSUFFICIENT_STOCK');

      const [order] = await tx`
        insert into "order" (id, cart_id, email, sales_channel_id, region_id, currency, status, payment_status,
                             subtotal, shipping_total, tax_total, total, shipping_address, billing_address,
                             shipping_method, placed_at)
        values (${orderId}, ${cartId}, ${cart.email}, ${cart.sales_channel_id}, ${cart.region_id}, ${cart.currency_code},
                'placed', 'authorized', ${subtotal}, ${shipping}, ${taxTotal}, ${total},
                ${sql.json(cart.shipping_address)}, ${sql.json(cart.shipping_address)},
                ${sql.json({ id: cart.option_id, name: cart.option_name, amount: shipping })}, now())
        returning id, number, status, total, currency`;
      await tx`
        insert into order_line (id, order_id, variant_id, product_id, sku, title, variant_title, quantity, unit_price,
                                subtotal, tax, total, tax_lines, position)
        select * from unnest(${priced.map(() => id('oline'))}::text[], ${priced.map(() => orderId)}::text[],
                             ${priced.map((l) => l.variant_id)}::text[], ${priced.map((l) => l.product_id)}::text[],
                             ${priced.map((l) => l.sku)}::text[], ${priced.map((l) => l.title)}::text[],
                             ${priced.map((l) => l.variant_title)}::text[], ${priced.map((l) => l.quantity)}::int[],
                             ${priced.map((l) => Number(l.unit_price))}::bigint[], ${priced.map((l) => l.subtotal)}::bigint[],
                             ${priced.map((l) => l.tax)}::bigint[], ${priced.map((l) => l.subtotal)}::bigint[],
                             ${priced.map((l) => JSON.stringify([{ name: 'VAT', rate, amount: l.tax }]))}::jsonb[],
                             ${priced.map((_, i) => i)}::int[])`;
      const paymentId = id('pay');
      await tx`
        insert into payment (id, cart_id, order_id, provider, currency, amount, stage, authorized, idempotency_base)
        values (${paymentId}, ${cartId}, ${orderId}, ${cart.payment_provider}, ${cart.currency_code}, ${total},
                'authorized', ${total}, ${paymentId})`;
      await tx`update cart set status = 'completed', updated_at = now() where id = ${cartId}`;
      return {
        order: { ...order, number: Number(order?.number), total },
        payment: { id: paymentId, provider: cart.payment_provider, status: 'authorized' },
      };
    });
    return result;
  } catch (err) {
    if (err instanceof Refused) return reply.code(err.status).send({ code: err.code });
    throw err;
  }
});

await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
process.on('SIGTERM', async () => {
  await app.close();
  await sql.end();
  process.exit(0);
});
