import type { Db } from '../../platform/db/database.js';
import type { App } from '../../platform/http/types.js';
import {
  AddressCreateBody,
  AddressList,
  AddressParams,
  AddressSchema,
  AddressUpdateBody,
} from './customers.addresses.schemas.js';
import { createAddress, deleteAddress, listAddresses, updateAddress } from './customers.addresses.service.js';
import { NoContent } from './customers.schemas.js';
import { UnauthenticatedError } from './identity.errors.js';

const tags = ['customers'];

function customerId(principal: { type: string; id?: string }): string {
  if (principal.type !== 'customer' || !principal.id) throw new UnauthenticatedError();
  return principal.id;
}

/** The signed-in customer's address book (`/v1/store/customers/me/addresses`). */
export async function customerAddressRoutes(app: App, deps: { db: Db }) {
  const { db } = deps;

  app.get(
    '/v1/store/customers/me/addresses',
    {
      config: { auth: 'customer' },
      schema: { tags, summary: "The signed-in customer's addresses", response: { 200: AddressList } },
    },
    async (request) => ({ data: await listAddresses(db, customerId(request.principal)) }),
  );

  app.post(
    '/v1/store/customers/me/addresses',
    {
      config: { auth: 'customer' },
      schema: {
        tags,
        summary: 'Add an address',
        description: 'Making it a default (shipping or billing) takes that default from the previous address.',
        body: AddressCreateBody,
        response: { 201: AddressSchema },
      },
    },
    async (request, reply) => {
      const address = await createAddress(db, customerId(request.principal), request.body);
      reply.header('location', `/v1/store/customers/me/addresses/${address.id}`);
      return reply.code(201).send(address);
    },
  );

  app.patch(
    '/v1/store/customers/me/addresses/:id',
    {
      config: { auth: 'customer' },
      schema: {
        tags,
        summary: 'Update an address',
        description: "Fields left out stay as they are. Another customer's address answers 404.",
        params: AddressParams,
        body: AddressUpdateBody,
        response: { 200: AddressSchema },
      },
    },
    async (request) => updateAddress(db, customerId(request.principal), request.params.id, request.body),
  );

  app.delete(
    '/v1/store/customers/me/addresses/:id',
    {
      config: { auth: 'customer' },
      schema: {
        tags,
        summary: 'Delete an address',
        description: "Another customer's address answers 404.",
        params: AddressParams,
        response: { 204: NoContent },
      },
    },
    async (request, reply) => {
      await deleteAddress(db, customerId(request.principal), request.params.id);
      return reply.code(204).send(null);
    },
  );
}
