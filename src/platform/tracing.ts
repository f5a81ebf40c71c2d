import {
  type Attributes,
  context,
  INVALID_SPAN_CONTEXT,
  propagation,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import type { FastifyPluginCallback, FastifyRequest } from 'fastify';

/**
 * OpenTelemetry tracing, off unless started. When off, nothing of the SDK is loaded (it is imported inside
 * `startTracing`), no Fastify hook is registered, and every manual span below is one boolean test and a direct call
 * of the wrapped function: no span object, no context lookup. When on, spans go to the exporter given (tests) or to
 * OTLP over HTTP at `endpoint`, batched.
 *
 * What is spanned: each HTTP request (@fastify/otel, named `<METHOD> <route template>`), each SQL statement and
 * transaction (platform/db/traced-connection.ts), each outbox handler run, each outbound webhook attempt and each
 * payment gateway call. What never is: statement parameters or literals, request or response bodies, headers,
 * URL query strings, webhook URLs and secrets, gateway keys.
 */

export interface TracingOptions {
  serviceName: string;
  /** `serve` or `worker`: the `backroom.process` resource attribute (one service, two kinds of process). */
  process: string;
  /** OTLP/HTTP base URL (`http://collector:4318`); spans are posted to `<endpoint>/v1/traces`. */
  endpoint?: string | undefined;
  /** Tests: an exporter (e.g. InMemorySpanExporter), each span handed over as it ends (no batching). */
  exporter?: import('@opentelemetry/sdk-trace-node').SpanExporter;
  /** Extra resource attributes (e.g. service.version). */
  resource?: Attributes;
}

export interface Tracing {
  /** Ends tracing: flushes spans not yet exported, then unregisters the SDK (tracing is off again). */
  shutdown(): Promise<void>;
}

let on = false;
let requestPlugin: FastifyPluginCallback | undefined;

/** True while tracing is started. Every instrumented path tests this first. */
export function tracingOn(): boolean {
  return on;
}

export const tracer = trace.getTracer('backroom');

/** What `inSpan` hands its function when tracing is off: setting attributes on it does nothing. */
const noSpan: Span = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);

export class TracingStartedError extends Error {
  constructor() {
    super('tracing is already started in this process');
    this.name = 'TracingStartedError';
  }
}

/**
 * Starts the SDK: a tracer provider registered globally (AsyncLocalStorage context, W3C trace context
 * propagation) and the Fastify request instrumentation that `tracingPlugin()` then hands to the app. Call it before
 * the app is built.
 */
export async function startTracing(opts: TracingOptions): Promise<Tracing> {
  if (on) throw new TracingStartedError();
  const [{ NodeTracerProvider, BatchSpanProcessor, SimpleSpanProcessor }, { resourceFromAttributes }, otel] =
    await Promise.all([
      import('@opentelemetry/sdk-trace-node'),
      import('@opentelemetry/resources'),
      import('@fastify/otel'),
    ]);
  let processor: import('@opentelemetry/sdk-trace-node').SpanProcessor;
  if (opts.exporter) {
    processor = new SimpleSpanProcessor(opts.exporter);
  } else {
    if (!opts.endpoint) throw new Error('startTracing needs an exporter or an OTLP endpoint');
    const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
    const url = `${opts.endpoint.replace(/\/+$/, '')}/v1/traces`;
    processor = new BatchSpanProcessor(new OTLPTraceExporter({ url }));
  }
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({
      'service.name': opts.serviceName,
      'backroom.process': opts.process,
      ...opts.resource,
    }),
    spanProcessors: [processor],
  });
  provider.register();
  const instrumentation = new otel.FastifyOtelInstrumentation({
    // One span per request; SQL and gateway spans hang directly under it. A span per hook (Fastify runs a dozen
    // per request here) would multiply the cost and say little.
    instrumentHooks: false,
    instrumentHandler: false,
    recordExceptions: false,
    // A load balancer probes /health/* every few seconds on every node, and Prometheus scrapes /metrics: as traces
    // they would only bury the requests people look for.
    ignorePaths: ({ url }) => url.startsWith('/health/') || url === '/metrics',
    requestHook: nameRequestSpan,
  });
  instrumentation.setTracerProvider(provider);
  requestPlugin = instrumentation.plugin() as unknown as FastifyPluginCallback;
  on = true;
  return {
    async shutdown() {
      if (!on) return;
      on = false;
      requestPlugin = undefined;
      instrumentation.disable();
      try {
        await provider.shutdown();
      } finally {
        trace.disable();
        context.disable();
        propagation.disable();
      }
    },
  };
}

/** The route template, never the raw URL: `POST /v1/store/carts/:id/complete`. The path loses its query string. */
function nameRequestSpan(span: Span, request: FastifyRequest): void {
  span.updateName(`${request.method} ${request.routeOptions.url ?? 'unmatched'}`);
  // The id the request's log lines and outbox events carry: an outbox handler's span names it too.
  span.setAttribute('backroom.request_id', request.id);
  const q = request.url.indexOf('?');
  if (q >= 0) span.setAttribute('url.path', request.url.slice(0, q));
}

/** The request-span plugin to register first on the app, or undefined when tracing is off. */
export function tracingPlugin(): FastifyPluginCallback | undefined {
  return requestPlugin;
}

/**
 * Runs `fn` inside a span named `name` (a child of the active one, or a root), ended when `fn` settles; a throw
 * marks it as an error with the error's name only (messages may carry data). When tracing is off, `fn` runs with a
 * span that records nothing.
 */
export function inSpan<T>(
  name: string,
  attributes: Attributes,
  fn: (span: Span) => Promise<T>,
  kind: SpanKind = SpanKind.INTERNAL,
): Promise<T> {
  if (!on) return fn(noSpan);
  return tracer.startActiveSpan(name, { kind, attributes }, async (span) => {
    try {
      return await fn(span);
    } catch (err) {
      failSpan(span, err);
      throw err;
    } finally {
      span.end();
    }
  });
}

/** Error status with the error's type (name or code), never its message. */
export function failSpan(span: Span, err: unknown): void {
  const type =
    (err as { code?: unknown })?.code ??
    (err instanceof Error ? err.name : typeof err === 'string' ? 'string' : 'error');
  span.setAttribute('error.type', String(type));
  span.setStatus({ code: SpanStatusCode.ERROR });
}

/** The active span's ids for a log line, or undefined (no span, or tracing off). */
export function activeTraceIds(): { trace_id: string; span_id: string } | undefined {
  if (!on) return undefined;
  const sc = trace.getActiveSpan()?.spanContext();
  return sc ? { trace_id: sc.traceId, span_id: sc.spanId } : undefined;
}

export { SpanKind };
