import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  createRouter,
  type FakeRequest,
  type FakeResponse,
  type Fault,
  IdempotencyStore,
  startFakeServer,
} from '../http.js';
import { CERT_PATH, createEventBus, FAKE_PAYPAL_CERT_PEM, type FakePayPalEvent } from './events.js';
import { approveOrder, authorizeOrder, captureOrder, createOrder, getOrder, type PayPalContext } from './orders.js';
import { approvalPage, approvedPage } from './page.js';
import {
  captureAuthorization,
  getAuthorization,
  getCapture,
  getRefund,
  openDispute,
  refundCapture,
  resolveDispute,
  voidAuthorization,
} from './payments.js';
import { settleCapture, settleRefund, takeBack } from './settle.js';
import {
  createStore,
  invalidRequest,
  notFound,
  orderView,
  type PayPalStore,
  previousRequestInProgress,
  unprocessable,
} from './state.js';

/**
 * A local stand-in for PayPal's REST API (OAuth, Orders v2, Payments v2, signed webhooks) for tests and offline
 * demos. It keeps PayPal's documented rules that our adapter depends on — idempotency by `PayPal-Request-Id`,
 * partial captures and refunds within limits, void only before capture — and answers with PayPal's error shapes.
 */

export interface FakePayPalOptions {
  port?: number;
  clientId?: string;
  clientSecret?: string;
  webhookId?: string;
  webhookUrl?: string;
  /** Record events without delivering them (tests deliver with `deliver(id)`). */
  holdWebhooks?: boolean;
}

export interface FakePayPal {
  url: string;
  port: number;
  close(): Promise<void>;
  /** Queue faults here (see `Fault`): the next matching request fails or answers late. */
  faults: Fault[];
  events: FakePayPalEvent[];
  deliver(eventId: string): Promise<number>;
  signedHeaders(body: string, opts?: { transmissionTime?: string }): Record<string, string>;
  /** Every order as GET /v2/checkout/orders/:id would show it (with its authorizations, captures and refunds). */
  orders(): Record<string, unknown>[];
  readonly store: PayPalStore;
  /** Stage PayPal's decision for the next capture (held for review, declined) or refund (pending, eCheck). */
  readonly next: PayPalContext['next'];
  /** Requests matching `METHOD path` take `delayMs` to process; a duplicate meanwhile sees it in progress. */
  readonly slowWork: { match: RegExp; delayMs: number }[];
  /** PayPal's later moves, each with its webhook (see settle.ts). */
  settleCapture(id: string, outcome: 'COMPLETED' | 'DECLINED'): FakeResponse;
  settleRefund(id: string, outcome: 'COMPLETED' | 'FAILED'): FakeResponse;
  takeBack(captureId: string, kind: 'refund' | 'reversal', minor?: number): FakeResponse;
  /** PayPal forgets every access token it issued (they expired early or were revoked): calls answer 401. */
  expireTokens(): void;
}

const IN_PROGRESS_409 = /\/(void|refund)$/;

/** A replayed PayPal-Request-Id answers the first result with 200 (PayPal: "if a duplicate … is retried, 200 OK"). */
const replayed = (first: FakeResponse): FakeResponse => (first.status === 201 ? { ...first, status: 200 } : first);

const header = (req: FakeRequest, name: string): string | undefined => {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

/** JSON bodies, or the approval page's form posts; malformed JSON is PayPal's 400 MALFORMED_REQUEST_JSON. */
function parseBody(req: FakeRequest): { ok: true; body: unknown; form: boolean } | { ok: false; res: FakeResponse } {
  if (req.rawBody.trim() === '') return { ok: true, body: {}, form: false };
  if (header(req, 'content-type')?.startsWith('application/x-www-form-urlencoded')) {
    return { ok: true, body: Object.fromEntries(new URLSearchParams(req.rawBody)), form: true };
  }
  try {
    return { ok: true, body: JSON.parse(req.rawBody) as unknown, form: false };
  } catch {
    return { ok: false, res: invalidRequest('/', 'MALFORMED_REQUEST_JSON', 'The request JSON is not well formed.') };
  }
}

export async function startFakePayPal(opts: FakePayPalOptions = {}): Promise<FakePayPal> {
  const clientId = opts.clientId ?? 'paypal-client-backroom';
  const clientSecret = opts.clientSecret ?? 'paypal-secret-backroom';
  let base = '';
  const store = createStore();
  const bus = createEventBus({
    url: () => base,
    webhookId: opts.webhookId ?? 'WH-FAKE-BACKROOM',
    webhookUrl: opts.webhookUrl,
    hold: opts.holdWebhooks,
  });
  const ctx: PayPalContext = { store, base: () => base, bus, next: {} };
  const slowWork: FakePayPal['slowWork'] = [];
  const tokens = new Set<string>();
  const idempotency = new IdempotencyStore();
  // Requests still running per PayPal-Request-Id, so a concurrent duplicate waits for the first instead of acting.
  const inFlight = new Map<string, { fingerprint: string; promise: Promise<FakeResponse> }>();

  const authenticated = (req: FakeRequest): boolean => {
    const auth = header(req, 'authorization') ?? '';
    return auth.startsWith('Bearer ') && tokens.has(auth.slice(7));
  };
  const unauthorized: FakeResponse = {
    status: 401,
    body: { error: 'invalid_token', error_description: 'Token signature verification failed' },
  };
  const reused = () =>
    unprocessable(
      'PAYPAL_REQUEST_ID_PREVIOUSLY_USED',
      'The PayPal-Request-Id has already been used for another request.',
    );

  function idempotent(req: FakeRequest, run: () => FakeResponse): Promise<FakeResponse> {
    const key = header(req, 'paypal-request-id');
    if (!key) return Promise.resolve(run());
    const fingerprint = `${req.method} ${req.path}\n${req.rawBody}`;
    const running = inFlight.get(key);
    if (running) {
      if (running.fingerprint !== fingerprint) return Promise.resolve(reused());
      // Void and refund document 409 PREVIOUS_REQUEST_IN_PROGRESS for a duplicate of a request still running;
      // for the other calls the duplicate gets the first one's answer.
      return IN_PROGRESS_409.test(req.path)
        ? Promise.resolve(previousRequestInProgress())
        : running.promise.then(replayed);
    }
    const hit = idempotency.lookup(key, fingerprint);
    if (hit) return Promise.resolve('replay' in hit ? replayed(hit.replay) : reused());
    const i = slowWork.findIndex((w) => w.match.test(`${req.method} ${req.path}`));
    const delay = i >= 0 ? (slowWork.splice(i, 1)[0]?.delayMs ?? 0) : 0;
    const promise = sleep(delay, undefined, { ref: false })
      .then(run)
      .then((res) => {
        idempotency.remember(key, fingerprint, res);
        return res;
      })
      .finally(() => inFlight.delete(key));
    inFlight.set(key, { fingerprint, promise });
    return promise;
  }

  /** An authenticated JSON API route; POSTs go through the PayPal-Request-Id store. */
  const api =
    (run: (body: unknown, params: Record<string, string>, req: FakeRequest) => FakeResponse) =>
    async (req: FakeRequest, params: Record<string, string>): Promise<FakeResponse> => {
      if (!authenticated(req)) return unauthorized;
      const parsed = parseBody(req);
      if (!parsed.ok) return parsed.res;
      const call = () => run(parsed.body, params, req);
      return req.method === 'POST' ? idempotent(req, call) : call();
    };

  const router = createRouter((req) => notFound('path', req.path));

  router.on('POST', '/v1/oauth2/token', (req) => {
    const expected = `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`;
    const grant = new URLSearchParams(req.rawBody).get('grant_type');
    if (header(req, 'authorization') !== expected) {
      return { status: 401, body: { error: 'invalid_client', error_description: 'Client Authentication failed' } };
    }
    if (grant !== 'client_credentials') {
      return { status: 400, body: { error: 'unsupported_grant_type', error_description: 'Grant Type is NULL' } };
    }
    const token = `A21AA${randomBytes(24).toString('base64url')}`;
    tokens.add(token);
    return {
      status: 200,
      body: {
        scope: 'https://uri.paypal.com/services/payments/payment https://uri.paypal.com/services/payments/refund',
        access_token: token,
        token_type: 'Bearer',
        app_id: 'APP-80W284485P519543T',
        expires_in: 32400,
        nonce: `${new Date().toISOString()}${randomBytes(8).toString('hex')}`,
      },
    };
  });
  router.on('GET', CERT_PATH, () => ({
    status: 200,
    body: FAKE_PAYPAL_CERT_PEM,
    headers: { 'content-type': 'application/x-pem-file' },
  }));

  router.on(
    'POST',
    '/v2/checkout/orders',
    api((body) => createOrder(ctx, body)),
  );
  router.on(
    'GET',
    '/v2/checkout/orders/:id',
    api((_b, p) => getOrder(ctx, p.id ?? '')),
  );
  router.on(
    'POST',
    '/v2/checkout/orders/:id/authorize',
    api((_b, p) => authorizeOrder(ctx, p.id ?? '')),
  );
  router.on(
    'POST',
    '/v2/checkout/orders/:id/capture',
    api((_b, p) => captureOrder(ctx, p.id ?? '')),
  );
  router.on(
    'GET',
    '/v2/payments/authorizations/:id',
    api((_b, p) => getAuthorization(ctx, p.id ?? '')),
  );
  router.on(
    'POST',
    '/v2/payments/authorizations/:id/capture',
    api((b, p) => captureAuthorization(ctx, p.id ?? '', b)),
  );
  router.on(
    'POST',
    '/v2/payments/authorizations/:id/void',
    api((_b, p, req) => voidAuthorization(ctx, p.id ?? '', header(req, 'prefer'))),
  );
  router.on(
    'GET',
    '/v2/payments/captures/:id',
    api((_b, p) => getCapture(ctx, p.id ?? '')),
  );
  router.on(
    'POST',
    '/v2/payments/captures/:id/refund',
    api((b, p) => refundCapture(ctx, p.id ?? '', b)),
  );
  router.on(
    'GET',
    '/v2/payments/refunds/:id',
    api((_b, p) => getRefund(ctx, p.id ?? '')),
  );

  // The buyer's side and test controls: no OAuth, as they stand for what happens at PayPal, not API calls.
  router.on('GET', '/checkoutnow', (req) => {
    const order = store.orders.get(req.query.get('token') ?? '');
    return order ? approvalPage(order) : notFound('order', req.query.get('token') ?? '');
  });
  router.on('POST', '/_fake/orders/:id/approve', (req, p) => {
    const parsed = parseBody(req);
    if (!parsed.ok) return parsed.res;
    const outcome = (parsed.body as { outcome?: unknown }).outcome === 'decline' ? 'decline' : 'approve';
    const res = approveOrder(ctx, p.id ?? '', outcome);
    const order = store.orders.get(p.id ?? '');
    return parsed.form && order && res.status === 200 ? approvedPage(order, outcome) : res;
  });
  router.on('POST', '/_fake/captures/:id/dispute', (req, p) => {
    const parsed = parseBody(req);
    return parsed.ok ? openDispute(ctx, p.id ?? '', parsed.body) : parsed.res;
  });
  router.on('POST', '/_fake/disputes/:id/resolve', (req, p) => {
    const parsed = parseBody(req);
    return parsed.ok ? resolveDispute(ctx, p.id ?? '', parsed.body) : parsed.res;
  });

  const faults: Fault[] = [];
  const server = await startFakeServer((req) => router.handle(req), faults, opts.port ?? 0);
  base = server.url;
  return {
    url: server.url,
    port: server.port,
    close: server.close,
    faults,
    events: bus.events,
    deliver: bus.deliver,
    signedHeaders: bus.signedHeaders,
    orders: () => [...store.orders.values()].map((o) => orderView(base, store, o)),
    store,
    next: ctx.next,
    slowWork,
    settleCapture: (id, outcome) => settleCapture(ctx, id, outcome),
    settleRefund: (id, outcome) => settleRefund(ctx, id, outcome),
    takeBack: (captureId, kind, minor) => takeBack(ctx, captureId, kind, minor),
    expireTokens: () => tokens.clear(),
  };
}
