import diagnostics from 'node:diagnostics_channel';
import type { FastifyInstance } from 'fastify';
import type { RouteAuth } from '../../src/modules/identity/index.js';

export interface WalkedRoute {
  method: string;
  url: string;
  auth: RouteAuth | undefined;
}

/**
 * Runs `build` (which creates an app) and returns every route registered meanwhile. Fastify
 * announces each new instance before any route exists, so an onRoute hook added there sees them all.
 */
export async function collectRoutes<T>(build: () => Promise<T>): Promise<{ result: T; routes: WalkedRoute[] }> {
  const routes: WalkedRoute[] = [];
  const collect = (message: unknown) => {
    const { fastify } = message as { fastify: FastifyInstance };
    fastify.addHook('onRoute', (r) => {
      for (const method of [r.method].flat()) {
        if (method !== 'HEAD') routes.push({ method, url: r.url, auth: r.config?.auth });
      }
    });
  };
  diagnostics.subscribe('fastify.initialization', collect);
  try {
    return { result: await build(), routes };
  } finally {
    diagnostics.unsubscribe('fastify.initialization', collect);
  }
}

/** A URL for a route pattern, each `:param` replaced by `probe_<param>`. */
export const concrete = (url: string) => url.replace(/:(\w+)/g, 'probe_$1');
