/**
 * The storefront sales channel of a request. Identity resolves it from the `x-publishable-key`
 * header; catalog and checkout read it. `null` means no key was sent: the shop's default channel.
 */
declare module 'fastify' {
  interface FastifyRequest {
    salesChannelId: string | null;
  }
}

export const PUBLISHABLE_KEY_HEADER = 'x-publishable-key';
