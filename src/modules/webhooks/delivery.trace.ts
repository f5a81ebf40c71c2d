import { failSpan, inSpan, SpanKind, tracingOn } from '../../platform/tracing.js';
import type { ClaimedDelivery } from './delivery.claim.js';
import type { AttemptOutcome } from './delivery.http.js';

/**
 * The span of one webhook attempt: endpoint id, event type, delivery id, attempt number and the answer's status
 * code. Never the URL (its query string may hold a receiver's token), the headers (signatures) or the body.
 */
export function traceAttempt(
  endpointId: string,
  delivery: ClaimedDelivery,
  send: () => Promise<AttemptOutcome>,
): Promise<AttemptOutcome> {
  if (!tracingOn()) return send();
  const attributes = {
    'backroom.webhook.endpoint_id': endpointId,
    'backroom.webhook.delivery_id': delivery.id,
    'backroom.webhook.attempt': delivery.attempt,
    'backroom.event.id': delivery.eventId,
    'backroom.event.type': eventTypeOf(delivery.body),
  };
  return inSpan(
    'webhook delivery',
    attributes,
    async (span) => {
      const outcome = await send();
      if (outcome.statusCode !== null) span.setAttribute('http.response.status_code', outcome.statusCode);
      if (!outcome.delivered) failSpan(span, { code: outcome.statusCode === null ? 'no_answer' : 'http_status' });
      return outcome;
    },
    SpanKind.CLIENT,
  );
}

/** The stored body starts with its type (fanout.ts writes `{"type":…,"timestamp":…,"data":…}` in that order). */
function eventTypeOf(body: string): string {
  return /^\{"type":"([^"\\]{1,100})"/.exec(body)?.[1] ?? 'unknown';
}
