import {
  type BackroomClient,
  createBackroomClient,
  type PagedPath,
  type PageItem,
  paginate,
  type WebhookEventType,
  type WebhookMessage,
  type WebhookPayload,
} from '@backroom/client';
import { describe, expectTypeOf, it } from 'vitest';

/**
 * Compile-time checks (`npm run typecheck` runs tsc over test/): every `@ts-expect-error` below must be an error,
 * or the check fails. The calls are built but never sent.
 */
const client: BackroomClient = createBackroomClient({
  baseUrl: 'http://127.0.0.1:1',
  fetch: async () => new Response(null, { status: 204 }),
});

function typeChecksOnly() {
  // A body field with the wrong type, a misspelled field, a missing body, an unknown path or method,
  // missing path parameters, a value outside an enum, a path that is not a paged list. (An extra field next to valid
  // ones is not caught: openapi-fetch infers the init generically, which skips TypeScript's excess-property check;
  // the server answers it with 400 naming the field.)
  void client.POST('/v1/store/carts/{id}/lines', {
    params: { path: { id: 'c' } },
    // @ts-expect-error quantity is a number
    body: { variantId: 'v', quantity: '1' },
  });
  void client.POST('/v1/store/carts/{id}/lines', {
    params: { path: { id: 'c' } },
    // @ts-expect-error variantID is not a field (variantId is, and it is required)
    body: { variantID: 'v', quantity: 1 },
  });
  // @ts-expect-error the lines route needs a body
  void client.POST('/v1/store/carts/{id}/lines', { params: { path: { id: 'c' } } });
  // @ts-expect-error no such route
  void client.GET('/v1/store/no-such-route');
  // @ts-expect-error the cart id is a path parameter the call must give
  void client.GET('/v1/store/carts/{id}');
  // @ts-expect-error carts are created with POST, not PUT
  void client.PUT('/v1/store/carts', { body: {} });
  // @ts-expect-error sort takes the documented values only
  void client.GET('/v1/store/products', { params: { query: { sort: 'cheapest' } } });
  // @ts-expect-error a cart is not a cursor-paged list
  void paginate(client, '/v1/store/carts/{id}');
}

describe('@backroom/client types', () => {
  it('types answers from the API document', () => {
    expectTypeOf(typeChecksOnly).toBeFunction();
    type Cart = Awaited<ReturnType<typeof client.GET<'/v1/store/carts/{id}', { params: { path: { id: string } } }>>>;
    expectTypeOf<Cart['data']['status']>().toEqualTypeOf<'open' | 'completing' | 'completed'>();
    expectTypeOf<'/v1/admin/orders'>().toExtend<PagedPath>();
    expectTypeOf<PageItem<'/v1/admin/orders'>>().toHaveProperty('number');
    expectTypeOf<WebhookMessage>().toHaveProperty('sequence');
    expectTypeOf<'order.placed'>().toExtend<WebhookEventType>();
    // `data` is the resource, or `{ id, deleted: true }` when it is gone by the time the event is sent.
    expectTypeOf<Exclude<WebhookPayload<'product.created'>, { deleted: true }>>().toHaveProperty('variants');
    const message = {} as WebhookMessage;
    if (message.type === 'order.placed' && !('deleted' in message.data)) {
      expectTypeOf(message.data).toHaveProperty('number');
    }
  });
});
