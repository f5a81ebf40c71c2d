import { type Config, settings } from './config.js';
import type { SettingView } from './platform/ops/settings.routes.js';

/**
 * Settings whose value is never shown, only whether it is set: keys, secrets, passwords and URLs that can carry
 * credentials (database, Redis, SMTP).
 */
const SECRET_NAME = /SECRET|KEY|PASSWORD|TOKEN|WEBHOOK_ID|CLIENT_ID/;
const CREDENTIAL_URLS = new Set([
  'DATABASE_URL',
  'DATABASE_DIRECT_URL',
  'DATABASE_REPLICA_URL',
  'REDIS_URL',
  'SMTP_URL',
]);

export function isSecretSetting(name: string): boolean {
  return SECRET_NAME.test(name) || CREDENTIAL_URLS.has(name);
}

const text = (v: unknown): string => (Array.isArray(v) ? v.join(',') : String(v));

/** Every environment setting with its source and (for non-secrets) value: what `src/config.ts` declares. */
export function describeSettings(config: Config): SettingView[] {
  const values = config as unknown as Record<string, unknown>;
  return Object.entries(settings).map(([name, s]) => {
    const value = values[name];
    const def = (s as { default: unknown }).default;
    const set = value !== undefined && !(Array.isArray(value) && value.length === 0 && def === undefined);
    const source = !set ? 'unset' : def !== undefined && text(def) === text(value) ? 'default' : 'env';
    // A URL with credentials in it (user:password@) is a secret whatever its name.
    const secret = isSecretSetting(name) || (set && /\/\/[^/]*@/.test(text(value)));
    return {
      name,
      description: (s as { doc: string }).doc,
      secret,
      set,
      source: source as 'env' | 'default' | 'unset',
      value: secret || !set ? null : text(value),
    };
  });
}
