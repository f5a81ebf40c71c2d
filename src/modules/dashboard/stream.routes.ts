import { Type } from 'typebox';
import { eventStreams } from '../../platform/http/event-stream.js';
import type { App } from '../../platform/http/types.js';
import { topicsFor } from './activity.js';
import { ChangeFeed } from './change-feed.js';
import type { DashboardDeps } from './dashboard.deps.js';
import { NotAcceptableError } from './dashboard.errors.js';
import { permissionsOf } from './dashboard.routes.js';
import { tags } from './dashboard.schemas.js';

const POSITION = /^\d{1,19}$/;

/**
 * `GET /v1/admin/dashboard/stream`: Server-Sent Events telling the home page what to read again. Every stream of
 * the process hangs on one shared poller of the outbox (ChangeFeed), so a hundred open pages cost one query loop.
 * Each member gets only the topics their permissions cover (no `inventory` without `inventory:read`, nothing for
 * an event kind they may not read).
 */
export async function dashboardStreamRoutes(app: App, deps: DashboardDeps) {
  const heartbeatMs = deps.streamHeartbeatMs ?? 15_000;
  const feed = new ChangeFeed(deps.db, deps.streamPollMs ?? 500, (err) =>
    app.log.warn({ err }, 'dashboard stream: poll failed; retrying'),
  );
  const streams = eventStreams(app, { heartbeatMs });
  app.addHook('preClose', async () => {
    await feed.close();
  });

  app.get(
    '/v1/admin/dashboard/stream',
    {
      config: { auth: { permission: 'orders:read' } },
      schema: {
        tags,
        summary: 'Live dashboard changes (Server-Sent Events): which parts of GET /v1/admin/dashboard to read again',
        description:
          'Send `Accept: text/event-stream` (406 otherwise). First `event: ready` with `data: {"sequence": n}` once ' +
          'changes are being watched; then, within about a second of a relevant commit, `event: changed` with ' +
          '`data: {"topics": ["orders" | "inventory" | "activity", …], "sequence": n}` and `id: n` (n = the outbox ' +
          'position read up to). Topics cover only what the member may read. Reconnecting with `Last-Event-ID` ' +
          'behind the current position gets one `changed` with every topic at once (something may have been missed). ' +
          'A comment line every 15 s keeps proxies from closing the connection.',
        querystring: Type.Object(
          { lastEventId: Type.Optional(Type.String({ pattern: '^\\d{1,19}$' })) },
          { additionalProperties: false },
        ),
        response: { 200: Type.String({ description: 'text/event-stream' }) },
      },
    },
    async (request, reply) => {
      if (!String(request.headers.accept ?? '').includes('text/event-stream')) throw new NotAcceptableError();
      const permissions = permissionsOf(request.principal);
      const header = request.headers['last-event-id'];
      const lastEventId =
        (typeof header === 'string' && POSITION.test(header) ? header : undefined) ?? request.query.lastEventId;

      const stream = streams.open(request, reply);
      const send = (topics: string[], sequence: string) => {
        if (topics.length > 0) stream.send('changed', { topics, sequence: Number(sequence) }, sequence);
      };
      stream.onEnd(feed.subscribe((change) => send(topicsFor(change.types, permissions), change.sequence)));

      const position = await feed.positioned();
      if (stream.closed) return;
      stream.send('ready', { sequence: Number(position) }, position);
      if (lastEventId !== undefined && BigInt(lastEventId) < BigInt(position)) {
        send(
          topicsFor(['order.placed', 'inventory.adjusted', 'product.created', 'customer.created'], permissions),
          position,
        );
      }
    },
  );
}
