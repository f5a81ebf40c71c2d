import { Redis } from 'ioredis';
import type { Logger } from './logger.js';
import type { Metrics } from './metrics.js';

export interface RedisHandle {
  client: Redis;
  /** True while the connection is ready; callers fall back to local behaviour otherwise. */
  isUp(): boolean;
  close(): Promise<void>;
}

/**
 * Redis is optional and never load-bearing for correctness: an outage is logged once per outage
 * (not once per reconnect attempt), counted in metrics, reported by `/health/ready`, and commands
 * fail fast instead of queueing, so callers can fall back. The `error` listener is what keeps an
 * outage from crashing the process (an EventEmitter `error` without a listener throws).
 */
export function createRedis(url: string, logger: Logger, metrics?: Metrics): RedisHandle {
  const log = logger.child({ component: 'redis' });
  let up = false;
  let outageLogged = false;
  const client = new Redis(url, {
    lazyConnect: false,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    retryStrategy: (times) => Math.min(100 * 2 ** times, 5000),
  });
  metrics?.redisUp.set(0);
  client.on('ready', () => {
    up = true;
    metrics?.redisUp.set(1);
    if (outageLogged) log.info('redis connection restored');
    outageLogged = false;
  });
  client.on('error', (err: Error) => {
    metrics?.redisErrors.inc();
    if (!outageLogged) {
      log.error({ err: { message: err.message, code: (err as { code?: string }).code } }, 'redis unavailable');
      outageLogged = true;
    }
  });
  client.on('close', () => {
    up = false;
    metrics?.redisUp.set(0);
  });
  return {
    client,
    isUp: () => up && client.status === 'ready',
    async close() {
      up = false;
      client.removeAllListeners('ready');
      client.on('error', () => {});
      // QUIT lets replies still on the wire arrive; without a connection there is nothing to wait
      // for, and disconnect() also cancels the next reconnect attempt.
      if (client.status === 'ready') await client.quit().catch(() => client.disconnect(false));
      else client.disconnect(false);
    },
  };
}
