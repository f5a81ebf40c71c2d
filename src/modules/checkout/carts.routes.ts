import type { App } from '../../platform/http/types.js';
import type { CartDeps } from './carts.deps.js';
import { mergeGuestCart } from './carts.merge.js';
import {
  AddLineBody,
  CartParams,
  CartSchema,
  CodeParams,
  CreateCartBody,
  LineParams,
  PromoCodeBody,
  SetQuantityBody,
  ShippingMethodBody,
  ShippingOptionList,
  UpdateCartBody,
} from './carts.schemas.js';
import { addCartLine, createCart, getCart, setCartLineQuantity } from './carts.service.js';
import {
  addPromoCode,
  listCartShippingOptions,
  removePromoCode,
  setShippingMethod,
  updateCart,
} from './carts.update.js';

const tags = ['store: carts'];
const config = { auth: 'public' as const };
const one = { 200: CartSchema };

/**
 * Storefront carts. Public: a guest cart answers to whoever holds its id; a cart created by a signed-in customer
 * answers only to that customer (anyone else: 404). Totals are computed on the server on every response.
 */
export async function cartRoutes(app: App, deps: CartDeps) {
  app.post(
    '/v1/store/carts',
    {
      config,
      // A storefront may POST no body at all: that means "all defaults", the same as `{}`.
      preValidation: async (request) => {
        request.body ??= {};
      },
      schema: {
        tags,
        summary: 'Create a cart (region by id, by country, by currency, or the shop default)',
        body: CreateCartBody,
        response: { 201: CartSchema },
      },
    },
    async (request, reply) => {
      const cart = await createCart(deps, request.principal, request.salesChannelId, request.body);
      reply.header('location', `/v1/store/carts/${cart.id}`);
      return reply.code(201).send(cart);
    },
  );

  app.get(
    '/v1/store/carts/:id',
    { config, schema: { tags, summary: 'A cart with its totals', params: CartParams, response: one } },
    async (request) => getCart(deps, request.principal, request.params.id),
  );

  app.patch(
    '/v1/store/carts/:id',
    {
      config,
      schema: {
        tags,
        summary: 'Set email, shipping and billing address, or region (a new region re-prices the cart)',
        params: CartParams,
        body: UpdateCartBody,
        response: one,
      },
    },
    async (request) => updateCart(deps, request.principal, request.params.id, request.body),
  );

  app.post(
    '/v1/store/carts/:id/lines',
    {
      config,
      schema: {
        tags,
        summary: 'Add a variant (the same variant again adds to its line; at most 999 per line, 100 lines)',
        params: CartParams,
        body: AddLineBody,
        response: one,
      },
    },
    async (request) => addCartLine(deps, request.principal, request.params.id, request.body),
  );

  app.patch(
    '/v1/store/carts/:id/lines/:lineId',
    {
      config,
      schema: {
        tags,
        summary: "Set a line's quantity (0 removes it)",
        params: LineParams,
        body: SetQuantityBody,
        response: one,
      },
    },
    async (request) =>
      setCartLineQuantity(deps, request.principal, request.params.id, request.params.lineId, request.body.quantity),
  );

  app.delete(
    '/v1/store/carts/:id/lines/:lineId',
    { config, schema: { tags, summary: 'Remove a line', params: LineParams, response: one } },
    async (request) => setCartLineQuantity(deps, request.principal, request.params.id, request.params.lineId, 0),
  );

  app.get(
    '/v1/store/carts/:id/shipping-options',
    {
      config,
      schema: {
        tags,
        summary: 'Shipping options that can ship this cart, priced',
        params: CartParams,
        response: { 200: ShippingOptionList },
      },
    },
    async (request) => ({
      data: await listCartShippingOptions(deps, request.principal, request.params.id),
      nextCursor: null,
    }),
  );

  app.post(
    '/v1/store/carts/:id/shipping-method',
    {
      config,
      schema: {
        tags,
        summary: 'Choose a shipping option',
        params: CartParams,
        body: ShippingMethodBody,
        response: one,
      },
    },
    async (request) => setShippingMethod(deps, request.principal, request.params.id, request.body.optionId),
  );

  app.post(
    '/v1/store/carts/:id/promo-codes',
    {
      config,
      schema: {
        tags,
        summary: 'Enter a promo code (stored; promotions decide what it gives)',
        params: CartParams,
        body: PromoCodeBody,
        response: one,
      },
    },
    async (request) => addPromoCode(deps, request.principal, request.params.id, request.body.code),
  );

  app.delete(
    '/v1/store/carts/:id/promo-codes/:code',
    { config, schema: { tags, summary: 'Remove a promo code', params: CodeParams, response: one } },
    async (request) => removePromoCode(deps, request.principal, request.params.id, request.params.code),
  );

  app.post(
    '/v1/store/carts/:id/claim',
    {
      config: { auth: 'customer' as const },
      schema: {
        tags,
        summary: "After login: merge this guest cart into the customer's open cart, or adopt it when there is none",
        params: CartParams,
        response: one,
      },
    },
    async (request) => {
      if (request.principal.type !== 'customer') throw new Error('auth: customer route without a customer');
      const id = await mergeGuestCart(deps, { guestCartId: request.params.id, customerId: request.principal.id });
      return getCart(deps, request.principal, id);
    },
  );
}
