import { Type } from 'typebox';
import { requestAuditContext } from '../../platform/audit/audit.js';
import type { Db } from '../../platform/db/database.js';
import { IdCursor, MoneyAmount } from '../../platform/http/schemas.js';
import type { App } from '../../platform/http/types.js';
import { MAX_AMOUNT } from '../../platform/money.js';
import { Currency, Id, IdParams, Name, Timestamps } from './checkout.schemas.js';
import {
  createPromotion,
  deletePromotion,
  getPromotion,
  listPromotions,
  updatePromotion,
} from './promotions.service.js';

const tags = ['admin: promotions'];
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
const Code = Type.String({
  pattern: '^[A-Za-z0-9_-]{2,64}$',
  description: 'what customers type; unique ignoring case. Null = an automatic promotion',
});
const Kind = Type.Union([Type.Literal('percentage'), Type.Literal('fixed')]);
const Target = Type.Union([Type.Literal('order'), Type.Literal('products'), Type.Literal('categories')]);
const Limit = Type.Integer({ minimum: 1, maximum: 2_147_483_647 });
const When = Type.String({ format: 'date-time' });

const fields = {
  code: Nullable(Code),
  currency: Nullable(Currency),
  target: Target,
  targetIds: Type.Array(Id, {
    maxItems: 500,
    uniqueItems: true,
    description: 'product ids (products) or category ids (categories: their sub-categories count too)',
  }),
  minSubtotal: Nullable(MoneyAmount({ minimum: 1, description: 'minor units of currency' })),
  startsAt: Nullable(When),
  endsAt: Nullable(When),
  usageLimit: Nullable(Limit),
  perCustomerLimit: Nullable(Type.Integer({ minimum: 1, maximum: 1000, description: 'guests count by email' })),
  combinable: Type.Boolean({
    description: 'stacks with other combinable promotions; a non-combinable one applies alone',
  }),
  active: Type.Boolean(),
};
const Value = Type.Integer({
  minimum: 1,
  maximum: MAX_AMOUNT,
  description: 'percentage: basis points (1000 = 10%, at most 10000); fixed: minor units of currency',
});

export const PromotionView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  kind: Kind,
  value: Type.Integer(),
  ...fields,
  code: Nullable(Type.String()),
  used: Type.Integer({ description: 'redemptions so far' }),
  ...Timestamps,
});

const Optional = Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, Type.Optional(v)])) as {
  [K in keyof typeof fields]: ReturnType<typeof Type.Optional<(typeof fields)[K]>>;
};

/** Promotions: `promotions:read` to list and read, `promotions:write` to create, change and delete. */
export async function promotionRoutes(app: App, deps: { db: Db }) {
  const { db } = deps;
  const read = { auth: { permission: 'promotions:read' as const } };
  const write = { auth: { permission: 'promotions:write' as const } };
  const url = '/v1/admin/promotions';

  app.get(
    url,
    {
      config: read,
      schema: {
        tags,
        summary: 'Promotions, newest first; filter by active or by code (any case)',
        querystring: Type.Object(
          {
            limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
            cursor: Type.Optional(IdCursor('promotion')),
            active: Type.Optional(Type.Boolean()),
            code: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ data: Type.Array(PromotionView), nextCursor: Type.Union([Type.Null(), Type.String()]) }),
        },
      },
    },
    async (request) => listPromotions(db, request.query),
  );

  app.get(
    `${url}/:id`,
    { config: read, schema: { tags, summary: 'One promotion', params: IdParams, response: { 200: PromotionView } } },
    async (request) => getPromotion(db, request.params.id),
  );

  app.post(
    url,
    {
      config: write,
      schema: {
        tags,
        summary: 'Create a promotion: a code or automatic, percentage or fixed, on the order or on products/categories',
        body: Type.Object({ name: Name, kind: Kind, value: Value, ...Optional }, { additionalProperties: false }),
        response: { 201: PromotionView },
      },
    },
    async (request, reply) => {
      const promotion = await createPromotion(db, requestAuditContext(request), request.body);
      reply.header('location', `${url}/${promotion.id}`);
      return reply.code(201).send(promotion);
    },
  );

  app.patch(
    `${url}/:id`,
    {
      config: write,
      schema: {
        tags,
        summary: 'Change a promotion (null clears a field); `active: false` deactivates it',
        params: IdParams,
        body: Type.Object(
          { name: Type.Optional(Name), kind: Type.Optional(Kind), value: Type.Optional(Value), ...Optional },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: PromotionView },
      },
    },
    async (request) => updatePromotion(db, requestAuditContext(request), request.params.id, request.body),
  );

  app.delete(
    `${url}/:id`,
    {
      config: write,
      schema: {
        tags,
        summary: 'Delete a promotion that has never been redeemed (409 PROMOTION_IN_USE otherwise: deactivate it)',
        params: IdParams,
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      await deletePromotion(db, requestAuditContext(request), request.params.id);
      return reply.code(204).send(null);
    },
  );
}
