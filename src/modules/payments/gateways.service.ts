import { type AuditContext, recordAudit } from '../../platform/audit/audit.js';
import type { SecretBox } from '../../platform/crypto/secret-box.js';
import type { Db } from '../../platform/db/database.js';
import { jsonb } from '../../platform/db/json.js';
import { withTransaction } from '../../platform/db/transaction.js';
import { AppError } from '../../platform/errors.js';
import type { PaymentProvider } from './provider.js';
import type { PayPalSettings } from './providers/paypal.js';
import type { PaymentProviders } from './providers/registry.js';
import type { StripeSettings } from './providers/stripe.js';

/**
 * Gateway credentials: from environment variables, or set through the admin API and stored sealed with AES-256-GCM
 * (`BACKROOM_SECRET_KEY`), bound to the gateway's row so a sealed value copied elsewhere does not open. Stored
 * settings win over the environment field by field. Secrets are write-only: every view says only whether each one
 * is set. The API base URLs (fakes, stripe-mock) come from the environment only — an admin setting them could
 * point our server's calls anywhere.
 */

export const gatewayIds = ['stripe', 'paypal'] as const;
export type GatewayId = (typeof gatewayIds)[number];

const fields = {
  stripe: { settings: ['publishableKey'], secrets: ['secretKey', 'webhookSecret'] },
  paypal: { settings: ['clientId', 'webhookId', 'environment'], secrets: ['clientSecret'] },
} as const;

/** The environment's part (config names mapped to gateway fields). */
export interface GatewayEnv {
  STRIPE_SECRET_KEY?: string | undefined;
  STRIPE_WEBHOOK_SECRET?: string | undefined;
  STRIPE_PUBLISHABLE_KEY?: string | undefined;
  STRIPE_API_BASE?: string | undefined;
  PAYPAL_CLIENT_ID?: string | undefined;
  PAYPAL_CLIENT_SECRET?: string | undefined;
  PAYPAL_WEBHOOK_ID?: string | undefined;
  PAYPAL_ENVIRONMENT?: 'sandbox' | 'live' | undefined;
  PAYPAL_API_BASE?: string | undefined;
  PAYMENT_PROVIDER_TIMEOUT_MS?: number | undefined;
}

type Values = Record<string, string | undefined>;

function fromEnv(id: GatewayId, env: GatewayEnv): Values {
  return id === 'stripe'
    ? {
        secretKey: env.STRIPE_SECRET_KEY,
        webhookSecret: env.STRIPE_WEBHOOK_SECRET,
        publishableKey: env.STRIPE_PUBLISHABLE_KEY,
      }
    : {
        clientId: env.PAYPAL_CLIENT_ID,
        clientSecret: env.PAYPAL_CLIENT_SECRET,
        webhookId: env.PAYPAL_WEBHOOK_ID,
        environment: env.PAYPAL_ENVIRONMENT,
      };
}

/** 503 when secrets would have to be stored but no key to seal them is configured. */
export class SecretBoxUnavailableError extends AppError {
  constructor() {
    super(503, 'SECRET_KEY_UNAVAILABLE', 'Secret storage unavailable', {
      detail: 'Gateway secrets are stored encrypted; set BACKROOM_SECRET_KEY (or let the server create its key file).',
    });
  }
}

interface Stored {
  enabled: boolean;
  settings: Values;
  secrets: Values;
  updatedAt: string | null;
}

const aad = (id: GatewayId) => `payment_gateway_config:${id}`;

async function readStored(db: Db, box: SecretBox | undefined): Promise<Map<GatewayId, Stored>> {
  const rows = await db.selectFrom('payment_gateway_config').selectAll().execute();
  const out = new Map<GatewayId, Stored>();
  for (const r of rows) {
    const settings = (typeof r.settings === 'string' ? JSON.parse(r.settings) : r.settings) as Values;
    // Without the key the stored secrets cannot be read: the environment's (if any) are used instead.
    const secrets = r.secrets_sealed && box ? (JSON.parse(box.open(r.secrets_sealed, aad(r.provider))) as Values) : {};
    out.set(r.provider, {
      enabled: r.enabled,
      settings,
      secrets,
      updatedAt: new Date(r.updated_at).toISOString(),
    });
  }
  return out;
}

function merged(id: GatewayId, env: GatewayEnv, stored: Stored | undefined): Values {
  const base = fromEnv(id, env);
  const own = { ...(stored?.settings ?? {}), ...(stored?.secrets ?? {}) };
  const out: Values = { ...base };
  for (const [k, v] of Object.entries(own)) if (v) out[k] = v;
  return out;
}

/**
 * The adapter for a gateway's values, or null while any required value is missing. The SDKs are loaded when a
 * gateway is first configured, not at start: together they took ~0.9 s and ~60 MB of a process that may never use
 * them (measured importing each alone: PayPal's with its HTTP stack ~39 MB, Stripe's ~20 MB).
 */
export async function buildGateway(id: GatewayId, v: Values, env: GatewayEnv): Promise<PaymentProvider | null> {
  const timeoutMs = env.PAYMENT_PROVIDER_TIMEOUT_MS;
  if (id === 'stripe') {
    if (!v.secretKey || !v.webhookSecret) return null;
    const settings: StripeSettings = { secretKey: v.secretKey, webhookSecret: v.webhookSecret };
    if (v.publishableKey) settings.publishableKey = v.publishableKey;
    if (timeoutMs) settings.timeoutMs = timeoutMs;
    if (env.STRIPE_API_BASE) {
      const u = new URL(env.STRIPE_API_BASE);
      const protocol = u.protocol === 'http:' ? 'http' : 'https';
      settings.api = { host: u.hostname, port: Number(u.port || (protocol === 'http' ? 80 : 443)), protocol };
    }
    const { stripeProvider } = await import('./providers/stripe.js');
    return stripeProvider(settings);
  }
  if (!v.clientId || !v.clientSecret || !v.webhookId) return null;
  const settings: PayPalSettings = {
    clientId: v.clientId,
    clientSecret: v.clientSecret,
    webhookId: v.webhookId,
    environment: v.environment === 'live' ? 'live' : 'sandbox',
  };
  if (env.PAYPAL_API_BASE) settings.apiBase = env.PAYPAL_API_BASE;
  if (timeoutMs) settings.timeoutMs = timeoutMs;
  const { paypalProvider } = await import('./providers/paypal.js');
  return paypalProvider(settings);
}

export interface GatewayView {
  provider: GatewayId;
  /** Offered by this server now (configured completely and enabled). */
  active: boolean;
  enabled: boolean;
  /** Where its values come from: `database` when any is stored through the admin API. */
  source: 'database' | 'environment' | 'none';
  settings: Record<string, string | null>;
  /** Whether each secret is set; the values are never returned. */
  secrets: Record<string, boolean>;
  webhookPath: string;
  updatedAt: string | null;
}

/**
 * Re-reads stored settings and (re)registers the gateways in `providers`: every node calls it at start, after an
 * admin change and periodically, so a change made on one node reaches the others.
 */
const managed = new WeakMap<PaymentProviders, Set<string>>();

export async function refreshGateways(deps: {
  db: Db;
  providers: PaymentProviders;
  secretBox?: SecretBox | undefined;
  env: GatewayEnv;
}): Promise<GatewayView[]> {
  const stored = await readStored(deps.db, deps.secretBox);
  // Each gateway's values and adapter, built together (an adapter's SDK loads on first use).
  const built = await Promise.all(
    gatewayIds.map(async (id) => {
      const own = stored.get(id);
      const values = merged(id, deps.env, own);
      const provider = own?.enabled === false ? null : await buildGateway(id, values, deps.env);
      return { id, own, values, provider };
    }),
  );
  return built.map(({ id, own, values, provider }) => {
    // Only gateways this function registered are removed: a test may register its own adapter by hand.
    const ours = managed.get(deps.providers) ?? new Set<string>();
    managed.set(deps.providers, ours);
    if (provider) {
      deps.providers.set(provider);
      ours.add(id);
    } else if (ours.has(id)) {
      deps.providers.remove(id);
      ours.delete(id);
    }
    // PAYPAL_ENVIRONMENT has a default: only values an operator gave count as configuration.
    const envSet = Object.entries(fromEnv(id, deps.env)).some(([k, v]) => k !== 'environment' && Boolean(v));
    return {
      provider: id,
      active: deps.providers.has(id),
      enabled: own?.enabled ?? true,
      source: own ? 'database' : envSet ? 'environment' : 'none',
      settings: Object.fromEntries(fields[id].settings.map((k) => [k, values[k] ?? null])),
      secrets: Object.fromEntries(fields[id].secrets.map((k) => [k, Boolean(values[k])])),
      webhookPath: `/v1/webhooks/${id}`,
      updatedAt: own?.updatedAt ?? null,
    };
  });
}

export interface GatewayInput {
  enabled?: boolean | undefined;
  /** Non-secret settings (Stripe publishableKey; PayPal clientId, webhookId, environment); null clears one. */
  settings?: Record<string, string | null> | undefined;
  /** Secrets (Stripe secretKey, webhookSecret; PayPal clientSecret); null clears one. Write-only. */
  secrets?: Record<string, string | null> | undefined;
}

/**
 * Stores a gateway's settings (merged into what is stored), sealing the secrets, and audits which names changed —
 * never their values.
 * @throws SecretBoxUnavailableError when secrets are given and no key is configured.
 */
export async function saveGateway(
  db: Db,
  box: SecretBox | undefined,
  ctx: AuditContext,
  id: GatewayId,
  input: GatewayInput,
): Promise<void> {
  if (input.secrets && Object.keys(input.secrets).length > 0 && !box) throw new SecretBoxUnavailableError();
  await withTransaction(db, async (tx) => {
    const row = await tx
      .selectFrom('payment_gateway_config')
      .selectAll()
      .where('provider', '=', id)
      .forUpdate()
      .executeTakeFirst();
    const settings = {
      ...((row ? (typeof row.settings === 'string' ? JSON.parse(row.settings) : row.settings) : {}) as Values),
    };
    for (const [k, v] of Object.entries(input.settings ?? {})) {
      if (v === null) delete settings[k];
      else settings[k] = v;
    }
    let sealed = row?.secrets_sealed ?? null;
    if (input.secrets && box) {
      const secrets = (sealed ? JSON.parse(box.open(sealed, aad(id))) : {}) as Values;
      for (const [k, v] of Object.entries(input.secrets)) {
        if (v === null) delete secrets[k];
        else secrets[k] = v;
      }
      sealed = Object.keys(secrets).length > 0 ? box.seal(JSON.stringify(secrets), aad(id)) : null;
    }
    const values = {
      enabled: input.enabled ?? row?.enabled ?? true,
      settings: jsonb(settings as Record<string, unknown>),
      secrets_sealed: sealed,
      updated_by: ctx.actorId,
      updated_at: new Date(),
    };
    await tx
      .insertInto('payment_gateway_config')
      .values({ provider: id, ...values })
      .onConflict((oc) => oc.column('provider').doUpdateSet(values))
      .execute();
    await recordAudit(tx, ctx, {
      action: 'payment_gateway.configured',
      targetType: 'payment_gateway',
      targetId: id,
      changes: {
        enabled: values.enabled,
        settings: Object.keys(input.settings ?? {}),
        secretsChanged: Object.keys(input.secrets ?? {}),
      },
    });
  });
}

/** Forgets a gateway's stored settings (the environment's apply again). Audited. */
export async function deleteGatewaySettings(db: Db, ctx: AuditContext, id: GatewayId): Promise<void> {
  await withTransaction(db, async (tx) => {
    await tx.deleteFrom('payment_gateway_config').where('provider', '=', id).execute();
    await recordAudit(tx, ctx, { action: 'payment_gateway.reset', targetType: 'payment_gateway', targetId: id });
  });
}

/** Which fields each gateway accepts, for request validation. */
export function gatewayFields(id: GatewayId): { settings: readonly string[]; secrets: readonly string[] } {
  return fields[id];
}
