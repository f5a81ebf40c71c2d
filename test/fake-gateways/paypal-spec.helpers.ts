import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

/**
 * PayPal's published OpenAPI documents (test/fixtures/paypal) as response validators, and a recording proxy that
 * sits between the real adapter and the fake so every answer the adapter received can be checked against them.
 */

type Json = Record<string, unknown>;
const load = (file: string): Json =>
  JSON.parse(readFileSync(new URL(`../fixtures/paypal/${file}`, import.meta.url), 'utf8')) as Json;

const docs = {
  orders: load('checkout_orders_v2.json'),
  payments: load('payments_payment_v2.json'),
  webhooks: load('notifications_webhooks_v1.json'),
};
type DocName = keyof typeof docs;

// unicodeRegExp off: some of PayPal's patterns are only valid without the u flag.
const ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false, unicodeRegExp: false });
addFormats.default(ajv);
// PayPal's own format names: the two the fake's values must honour are checked; the rest describe inputs only.
ajv.addFormat('ppaas_date_time_v3', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/);
ajv.addFormat('ppaas_common_currency_code_v2', /^[A-Z]{3}$/);
for (const f of [
  'merchant_common_email_address_v2',
  'ppaas_payer_id_v3',
  'ppaas_date_notime_v2',
  'ppaas_common_country_code_v2',
  'payer_v1',
  'ppaas_common_language_v3',
  'ppaas_common_email_address_v2',
  'ppaas_ip_address_v1',
]) {
  ajv.addFormat(f, true);
}
for (const [name, doc] of Object.entries(docs)) ajv.addSchema(doc, name);

const pointer = (parts: string[]) =>
  parts.map((p) => encodeURIComponent(p.replace(/~/g, '~0').replace(/\//g, '~1'))).join('/');
const cache = new Map<string, ValidateFunction>();

function validatorAt(doc: DocName, parts: string[]): ValidateFunction {
  const ref = `${doc}#/${pointer(parts)}`;
  let v = cache.get(ref);
  if (!v) {
    v = ajv.compile({ $ref: ref });
    cache.set(ref, v);
  }
  return v;
}

/** Errors of `body` against a component schema (`#/components/schemas/<name>`); [] when valid. */
export function schemaErrors(doc: DocName, schema: string, body: unknown): string[] {
  const v = validatorAt(doc, ['components', 'schemas', schema]);
  return v(body) ? [] : (v.errors ?? []).map((e) => `${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`);
}

/** The documented operation for a request path, e.g. POST /v2/payments/captures/X/refund. */
function operation(method: string, path: string): { doc: DocName; template: string } | null {
  for (const doc of ['orders', 'payments'] as const) {
    for (const template of Object.keys(docs[doc].paths as Json)) {
      const re = new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`);
      const ops = (docs[doc].paths as Json)[template] as Json;
      if (re.test(path) && ops[method.toLowerCase()]) return { doc, template };
    }
  }
  return null;
}

/**
 * Errors of one HTTP answer against the operation's documented response for its status (a status the document does
 * not list for the operation is an error too); [] when valid. Bodiless answers (204) must have no body.
 */
export function responseErrors(method: string, path: string, status: number, body: unknown): string[] {
  const op = operation(method, path);
  if (!op) return [`${method} ${path}: no such operation in PayPal's documents`];
  const responses = ((docs[op.doc].paths as Json)[op.template] as Json)[method.toLowerCase()] as Json;
  const codes = responses.responses as Json;
  if (!(String(status) in codes)) return [`${method} ${op.template}: status ${status} is not documented`];
  const base = ['paths', op.template, method.toLowerCase(), 'responses', String(status)];
  let response = codes[String(status)] as Json;
  let parts = base;
  if (typeof response.$ref === 'string') {
    parts = response.$ref.replace(/^#\//, '').split('/');
    response = parts.reduce<Json>((o, k) => o[k] as Json, docs[op.doc]);
  }
  const content = response.content as Json | undefined;
  if (!content?.['application/json']) return body === undefined ? [] : [`${status} is documented without a body`];
  const v = validatorAt(op.doc, [...parts, 'content', 'application/json', 'schema']);
  return v(body) ? [] : (v.errors ?? []).map((e) => `${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`);
}

export interface Recorded {
  method: string;
  path: string;
  status: number;
  body: unknown;
}

/** An HTTP proxy in front of `target` that records every API answer (OAuth excluded) and passes it on unchanged. */
export async function recordingProxy(
  target: () => string,
): Promise<{ url: string; log: Recorded[]; close(): Promise<void> }> {
  const log: Recorded[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const headers = Object.fromEntries(
        Object.entries(req.headers).filter(([k, v]) => typeof v === 'string' && k !== 'host' && k !== 'content-length'),
      ) as Record<string, string>;
      const method = req.method ?? 'GET';
      const upstream = await fetch(`${target()}${req.url}`, {
        method,
        headers,
        body: method === 'GET' || chunks.length === 0 ? undefined : Buffer.concat(chunks),
      });
      const text = await upstream.text();
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      if (!path.startsWith('/v1/oauth2')) {
        log.push({ method, path, status: upstream.status, body: text ? JSON.parse(text) : undefined });
      }
      res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' });
      res.end(text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    log,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
