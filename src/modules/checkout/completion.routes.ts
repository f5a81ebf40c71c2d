import { Type } from 'typebox';
import { requestAuditContext } from '../../platform/audit/audit.js';
import type { App } from '../../platform/http/types.js';
import { OrderDetail } from '../orders/index.js';
import { CartParams, CartSchema } from './carts.schemas.js';
import type { CheckoutDeps } from './completion.deps.js';
import { completeCart } from './completion.service.js';
import { choosePaymentMethod } from './payment-method.service.js';

const tags = ['store: checkout'];
const config = { auth: 'public' as const };

const PaymentBody = Type.Object(
  {
    provider: Type.String({ minLength: 1, maxLength: 40, pattern: '^[a-z][a-z0-9_]*$' }),
    data: Type.Optional(
      Type.Record(Type.String({ pattern: '^[A-Za-z][A-Za-z0-9_]{0,39}$' }), Type.String({ maxLength: 500 }), {
        maxProperties: 20,
        description: 'Passed to the gateway with the attempt (e.g. returnUrl); never card data',
      }),
    ),
  },
  { additionalProperties: false },
);

const PaymentSummary = Type.Union([
  Type.Null(),
  Type.Object({ id: Type.String(), provider: Type.String(), status: Type.String() }),
]);

/** Storefront checkout: choose the payment method, then complete the cart into an order. */
export async function completionRoutes(app: App, deps: CheckoutDeps) {
  app.post(
    '/v1/store/carts/:id/payment',
    {
      config,
      schema: {
        tags,
        summary:
          'Choose how to pay (manual, stripe, paypal …); Stripe/PayPal: the attempt starts here and its client data returns',
        params: CartParams,
        body: PaymentBody,
        response: {
          200: Type.Object({
            cart: CartSchema,
            payment: Type.Object({
              provider: Type.String(),
              id: Type.Optional(Type.String({ description: 'the prepared attempt (Stripe, PayPal)' })),
              status: Type.Optional(Type.String({ description: 'requires_action until the buyer acts' })),
              clientData: Type.Record(Type.String(), Type.String(), {
                description:
                  'Stripe: clientSecret, publishableKey (confirm with Stripe.js); PayPal: approvalUrl, orderId',
              }),
            }),
          }),
        },
      },
    },
    async (request) => choosePaymentMethod(deps, request.principal, request.params.id, request.body),
  );

  app.post(
    '/v1/store/carts/:id/complete',
    {
      config,
      // No body: completing means "place the order for this cart as it is".
      preValidation: async (request) => {
        request.body ??= {};
      },
      schema: {
        tags,
        summary:
          'Place the order: idempotent per cart (repeats answer the same order); 402 declined (cart open again), 409 out of stock',
        params: CartParams,
        body: Type.Object({}, { additionalProperties: false }),
        response: { 200: Type.Object({ order: OrderDetail, payment: PaymentSummary }) },
      },
    },
    async (request) => completeCart(deps, request.principal, requestAuditContext(request), request.params.id),
  );
}
