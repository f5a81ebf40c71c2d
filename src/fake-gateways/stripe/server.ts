import {
  createRouter,
  type FakeRequest,
  type FakeResponse,
  type Fault,
  IdempotencyStore,
  type Router,
  startFakeServer,
} from '../http.js';
import type { FakeContext } from './context.js';
import { EventLog, type RecordedEvent } from './events.js';
import { faultResponse, type StripeFault, takeFault } from './faults.js';
import { parseBody, parseForm } from './form.js';
import * as intents from './intents.js';
import * as refunds from './refunds.js';
import {
  createState,
  type FakeDecline,
  type FakePaymentIntent,
  newId,
  type StripeState,
  stripeError,
} from './state.js';

export interface FakeStripeOptions {
  /** 0 (default): any free port. */
  port?: number;
  secretKey?: string;
  publishableKey?: string;
  webhookSecret?: string;
  /** Where events are POSTed (none: events are only recorded). */
  webhookUrl?: string;
  /** Record events without delivering them; a test then calls `deliver(id)` when it wants. */
  holdWebhooks?: boolean;
}

export interface FakeStripe {
  url: string;
  port: number;
  close(): Promise<void>;
  /** Push to make the next matching request fail or answer late (see `Fault`). */
  faults: Fault[];
  /** Push to make the next matching API request answer as Stripe does under load: 409 key in use, 429 (see faults.ts). */
  stripeFaults: StripeFault[];
  /** Push to make the next confirmation decline with exactly this card error (e.g. one without a `decline_code`). */
  declines: FakeDecline[];
  /** Push `'pending'` to make the next refund start pending (as bank and some card refunds do); default succeeded. */
  refundStatuses: ('pending' | 'succeeded')[];
  /** Every event created, in order. */
  events: RecordedEvent[];
  /** POSTs an event to the webhook URL again, freshly signed; the receiver's status (0: unreachable). */
  deliver(eventId: string): Promise<number>;
  /** Waits for the queued automatic deliveries. */
  settled(): Promise<void>;
  signatureHeader(body: string, opts?: { timestamp?: number; secret?: string }): string;
  /** Snapshots of every PaymentIntent, oldest first. */
  intents(): FakePaymentIntent[];
}

type Endpoint = (ctx: FakeContext, params: Record<string, string>) => FakeResponse;

/**
 * A local stand-in for api.stripe.com that the official SDK can talk to (`host`/`port`/`protocol` settings): the
 * PaymentIntent lifecycle with Stripe's test cards, refunds, disputes, idempotency keys and signed webhooks. For
 * tests and demo shops only.
 */
export async function startFakeStripe(opts: FakeStripeOptions = {}): Promise<FakeStripe> {
  // Mutable, as in Stripe's dashboard: "roll" a secret key and the old one stops working at once.
  const keys: Keys = {
    secret: opts.secretKey ?? 'sk_test_backroom',
    publishable: opts.publishableKey ?? 'pk_test_backroom',
  };
  const state: StripeState = createState();
  const log = new EventLog({
    webhookSecret: opts.webhookSecret ?? 'whsec_backroom',
    webhookUrl: opts.webhookUrl,
    holdWebhooks: opts.holdWebhooks,
  });
  const router = buildRouter(state, log, keys);
  const idempotency = new IdempotencyStore();
  // Requests with a key whose first call is still running: a concurrent twin waits for it instead of acting twice.
  const inflight = new Map<string, { fingerprint: string; done: Promise<FakeResponse> }>();

  const stripeFaults: StripeFault[] = [];

  async function handle(req: FakeRequest): Promise<FakeResponse> {
    // Keys belong to an account, so a caller without a valid key is refused before any key is looked up.
    if (req.method === 'POST' && req.path === '/_fake/keys/roll') return rollSecretKey(keys, req);
    if (req.path.startsWith('/v1/')) {
      const auth = authenticate(req, keys);
      if (auth.status === 'missing' || auth.status === 'invalid') return unauthorized(auth);
    }
    const header = req.headers['idempotency-key'];
    const key = typeof header === 'string' && header !== '' ? header : undefined;
    // Before the idempotency store: Stripe neither acts on nor remembers a request it answered 409/429.
    const fault = req.path.startsWith('/v1/') ? takeFault(stripeFaults, req.method, req.path) : undefined;
    if (fault) return faultResponse(fault, key);
    if (req.method !== 'POST' || !key || !req.path.startsWith('/v1/')) return router.handle(req);
    const fingerprint = `${req.method} ${req.path} ${req.rawBody}`;
    const running = inflight.get(key);
    if (running) {
      if (running.fingerprint !== fingerprint) return conflict(key);
      return replayed(await running.done);
    }
    const seen = idempotency.lookup(key, fingerprint);
    if (seen && 'conflict' in seen) return conflict(key);
    if (seen) return replayed(seen.replay);
    const done = router.handle(req);
    inflight.set(key, { fingerprint, done });
    try {
      const response = await done;
      // A publishable key on a secret-only endpoint is refused before the request counts.
      if (response.status !== 401) idempotency.remember(key, fingerprint, response);
      return response;
    } finally {
      inflight.delete(key);
    }
  }

  const faults: Fault[] = [];
  const server = await startFakeServer(handle, faults, opts.port ?? 0);
  return {
    url: server.url,
    port: server.port,
    faults,
    stripeFaults,
    declines: state.declines,
    refundStatuses: state.refundStatuses,
    events: log.events,
    close: async () => {
      log.close();
      await server.close();
    },
    deliver: (id) => log.deliver(id),
    settled: () => log.settled(),
    signatureHeader: (body, o) => log.signatureHeader(body, o),
    intents: () => [...state.intents.values()].map((pi) => structuredClone(pi)),
  };
}

interface Keys {
  secret: string;
  publishable: string;
}

/** `POST /_fake/keys/roll` (`{"secretKey": …}` or a generated one): the new secret key, the old one refused from now. */
function rollSecretKey(keys: Keys, req: FakeRequest): FakeResponse {
  const given = (req.rawBody ? (JSON.parse(req.rawBody) as { secretKey?: unknown }) : {}).secretKey;
  keys.secret = typeof given === 'string' && given.startsWith('sk_test_') ? given : newId('sk_test');
  return { status: 200, body: { secretKey: keys.secret } };
}

function buildRouter(state: StripeState, log: EventLog, keys: Keys): Router {
  const router = createRouter((req) =>
    stripeError(404, 'invalid_request_error', `Unrecognized request URL (${req.method}: ${req.path}).`),
  );
  /** `browser`: also callable with the publishable key (the handler then checks the intent's client secret). */
  const on = (method: string, pattern: string, endpoint: Endpoint, access: 'secret' | 'browser' | 'none') =>
    router.on(method, pattern, (req, params) => {
      const auth = authenticate(req, keys);
      if (access !== 'none') {
        if (auth.status === 'missing' || auth.status === 'invalid') return unauthorized(auth);
        if (auth.status === 'publishable' && access !== 'browser') {
          return stripeError(401, 'invalid_request_error', 'This API call cannot be made with a publishable API key.');
        }
      }
      const form = method === 'GET' ? parseForm(req.query) : parseBody(req.rawBody, req.headers['content-type']);
      const requestId = newId('req');
      const key = req.headers['idempotency-key'];
      const ctx: FakeContext = {
        state,
        log,
        form,
        auth: access === 'none' ? 'none' : auth.status === 'publishable' ? 'publishable' : 'secret',
        cause:
          access === 'none'
            ? { requestId: null, idempotencyKey: null }
            : { requestId, idempotencyKey: typeof key === 'string' ? key : null },
      };
      const response = endpoint(ctx, params);
      // Snapshot now: the stored objects keep changing, but a replay must repeat this answer exactly.
      return { ...response, body: structuredClone(response.body), headers: { 'request-id': requestId } };
    });

  const id = (p: Record<string, string>) => p.id ?? '';
  on('POST', '/v1/payment_intents', (c) => intents.createIntent(c), 'secret');
  on('GET', '/v1/payment_intents', (c) => intents.listIntents(c), 'secret');
  on('GET', '/v1/payment_intents/:id', (c, p) => intents.retrieveIntent(c, id(p)), 'browser');
  on('POST', '/v1/payment_intents/:id', (c, p) => intents.updateIntent(c, id(p)), 'secret');
  on('POST', '/v1/payment_intents/:id/confirm', (c, p) => intents.confirm(c, id(p)), 'browser');
  on('POST', '/v1/payment_intents/:id/capture', (c, p) => intents.capture(c, id(p)), 'secret');
  on('POST', '/v1/payment_intents/:id/cancel', (c, p) => intents.cancel(c, id(p)), 'secret');
  on('POST', '/v1/refunds', (c) => refunds.createRefund(c), 'secret');
  on('GET', '/v1/refunds', (c) => refunds.listRefunds(c), 'secret');
  on('GET', '/v1/refunds/:id', (c, p) => refunds.retrieveRefund(c, id(p)), 'secret');
  on('GET', '/v1/charges/:id', (c, p) => refunds.retrieveCharge(c, id(p)), 'secret');
  on('POST', '/_fake/payment_intents/:id/3ds', (c, p) => intents.threeDSecure(c, id(p)), 'none');
  on('POST', '/_fake/payment_intents/:id/settle', (c, p) => intents.settleProcessing(c, id(p)), 'none');
  on('POST', '/_fake/refunds/:id/settle', (c, p) => refunds.settleRefund(c, id(p)), 'none');
  on('POST', '/_fake/payment_intents/:id/dispute', (c, p) => refunds.openDispute(c, id(p)), 'none');
  on('POST', '/_fake/disputes/:id/close', (c, p) => refunds.closeDispute(c, id(p)), 'none');
  return router;
}

type AuthResult = { status: 'secret' | 'publishable' | 'missing' } | { status: 'invalid'; given: string };

function authenticate(req: FakeRequest, keys: Keys): AuthResult {
  const header = req.headers.authorization;
  const match = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  const given = match?.[1];
  if (!given) return { status: 'missing' };
  if (given === keys.secret) return { status: 'secret' };
  if (given === keys.publishable) return { status: 'publishable' };
  return { status: 'invalid', given };
}

function unauthorized(auth: AuthResult): FakeResponse {
  if (auth.status !== 'invalid') {
    return stripeError(
      401,
      'invalid_request_error',
      'You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth.',
    );
  }
  // Stripe echoes only a masked key, so the error never carries a usable secret.
  const masked = `${auth.given.slice(0, 8)}${'*'.repeat(Math.max(auth.given.length - 12, 4))}${auth.given.slice(-4)}`;
  return stripeError(401, 'invalid_request_error', `Invalid API Key provided: ${masked}`);
}

function conflict(key: string): FakeResponse {
  return stripeError(
    400,
    'idempotency_error',
    `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`,
  );
}

function replayed(response: FakeResponse): FakeResponse {
  return { ...response, headers: { ...(response.headers ?? {}), 'idempotent-replayed': 'true' } };
}
