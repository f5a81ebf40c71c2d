import { randomBytes, randomUUID } from 'node:crypto';
import { address } from './checkout.js';

/**
 * The storefront client of the several-nodes test (nodes.browser.test.ts): it behaves as a storefront should behind a
 * balancer — every mutation carries an Idempotency-Key, a request without an answer from Backroom is sent again with
 * the same key — and each buyer has an address of its own (X-Forwarded-For through the trusted balancer).
 */

export interface Answer {
  status: number;
  body: Record<string, unknown> & { code?: string };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** How often clients had to send a request again (printed, to show the kill hit requests in flight). */
export const retried = { noAnswer: 0, inProgress: 0 };

/** Statuses that mean "Backroom did not answer": the balancer's own, for a node that died or none in rotation. */
const NO_ANSWER = new Set([502, 503, 504]);

/**
 * One request, retried as a careful client does: on no answer (connection error, 502/503/504) and, for a mutation,
 * on 409 IDEMPOTENCY_REQUEST_IN_PROGRESS — always with the same Idempotency-Key.
 */
export async function call(
  baseUrl: string,
  method: string,
  path: string,
  opts: { body?: unknown; ip?: string; key?: string; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const mutation = method !== 'GET';
  const key = mutation ? (opts.key ?? randomUUID()) : undefined;
  const headers: Record<string, string> = {
    ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}),
    ...(key ? { 'idempotency-key': key } : {}),
    ...(opts.ip ? { 'x-forwarded-for': opts.ip } : {}),
    ...(opts.headers ?? {}),
  };
  const deadline = Date.now() + 150_000;
  let last = '';
  while (Date.now() < deadline) {
    let res: Response;
    try {
      res = await fetch(`${baseUrl}${path}`, {
        method,
        headers,
        ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
      });
    } catch (err) {
      last = `network error: ${(err as Error).message}`;
      retried.noAnswer++;
      await sleep(200);
      continue;
    }
    const text = await res.text();
    if (NO_ANSWER.has(res.status)) {
      last = `${res.status} from the balancer`;
      retried.noAnswer++;
      await sleep(200);
      continue;
    }
    const body = (text ? JSON.parse(text) : {}) as Answer['body'];
    if (mutation && res.status === 409 && body.code === 'IDEMPOTENCY_REQUEST_IN_PROGRESS') {
      last = '409 IDEMPOTENCY_REQUEST_IN_PROGRESS';
      retried.inProgress++;
      await sleep(1000);
      continue;
    }
    return { status: res.status, body };
  }
  throw new Error(`${method} ${path}: no answer in 150 s (last: ${last})`);
}

export function ok(answer: Answer, what: string): Answer['body'] {
  if (answer.status < 200 || answer.status > 299) {
    throw new Error(`${what} → ${answer.status} ${JSON.stringify(answer.body).slice(0, 300)}`);
  }
  return answer.body;
}

let buyerCount = 0;
/**
 * A new shopper's address: private IPv6 (fd00::/8, nobody real) under a prefix of this run's own, because rate-limit
 * counters outlive a run in Redis (RATE_LIMIT_WINDOW_S) and a second run must not start on the first one's counts.
 */
const runPrefix = `fd${randomBytes(1).toString('hex')}:${randomBytes(6).toString('hex').match(/.{4}/g)?.join(':')}`;
export const newBuyerIp = () => `${runPrefix}::${(++buyerCount).toString(16)}`;

export type Outcome =
  | { kind: 'order'; orderId: string }
  | { kind: 'refused'; status: number; code: string | undefined };

/** A guest checkout through the balancer, manual payment (README "A full checkout"): 7 requests. */
export async function checkout(url: string, variantId: string): Promise<Outcome> {
  const ip = newBuyerIp();
  const cart = ok(await call(url, 'POST', '/v1/store/carts', { body: { countryCode: 'DE' }, ip }), 'create cart');
  const id = cart.id as string;
  const steps: [string, string, unknown][] = [
    ['POST', 'lines', { variantId, quantity: 1 }],
    ['PATCH', '', { email: `buyer-${id.slice(-10)}@example.com`, shippingAddress: address }],
  ];
  for (const [method, step, body] of steps) {
    const answer = await call(url, method, `/v1/store/carts/${id}${step ? `/${step}` : ''}`, { body, ip });
    ok(answer, `${method} cart ${step}`);
  }
  const options = ok(await call(url, 'GET', `/v1/store/carts/${id}/shipping-options`, { ip }), 'shipping options');
  const optionId = (options.data as { id: string }[])[0]?.id;
  if (!optionId) throw new Error('no shipping option for DE');
  ok(await call(url, 'POST', `/v1/store/carts/${id}/shipping-method`, { body: { optionId }, ip }), 'shipping method');
  // A sold-out flash product may be refused here (stock is held when checkout starts) or at complete.
  const payment = await call(url, 'POST', `/v1/store/carts/${id}/payment`, { body: { provider: 'manual' }, ip });
  if (payment.status === 409) return { kind: 'refused', status: payment.status, code: payment.body.code };
  ok(payment, 'payment');
  const done = await call(url, 'POST', `/v1/store/carts/${id}/complete`, { body: {}, ip });
  if (done.status >= 200 && done.status <= 299) {
    return { kind: 'order', orderId: (done.body.order as { id: string }).id };
  }
  return { kind: 'refused', status: done.status, code: done.body.code };
}
