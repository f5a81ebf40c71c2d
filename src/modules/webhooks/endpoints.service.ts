import { sql } from 'kysely';
import { type AuditContext, recordAudit } from '../../platform/audit/audit.js';
import type { Tx } from '../../platform/db/database.js';
import { withTransaction } from '../../platform/db/transaction.js';
import { VersionMismatchError } from '../../platform/http/if-match.js';
import { newId } from '../../platform/ids.js';
import { findEndpointView } from './endpoints.repository.js';
import type { CreateEndpointInput, EndpointViewT, UpdateEndpointInput } from './endpoints.schemas.js';
import { checkEndpointUrl, normaliseEventTypes } from './endpoints.validate.js';
import { replayEndpoint } from './fanout.js';
import { newSigningSecret } from './secrets.js';
import type { WebhooksDeps } from './webhooks.deps.js';
import { WebhookEndpointNotFoundError } from './webhooks.errors.js';

/**
 * Endpoint commands. URLs are checked (DNS included) before the transaction opens; each command
 * writes its row and its audit row in one transaction. Secrets never reach the audit log or a log
 * line: they are returned to the caller once and stored only sealed (AAD: the endpoint id).
 */

async function viewOf(tx: Tx, id: string): Promise<EndpointViewT> {
  const view = await findEndpointView(tx, id);
  if (!view) throw new WebhookEndpointNotFoundError(id);
  return view;
}

export async function createEndpoint(
  deps: WebhooksDeps,
  ctx: AuditContext,
  input: CreateEndpointInput,
): Promise<EndpointViewT & { secret: string }> {
  const eventTypes = normaliseEventTypes(input.eventTypes, deps.catalogue);
  const url = await checkEndpointUrl(input.url, deps.urlPolicy);
  const id = newId('webhookEndpoint');
  const secret = newSigningSecret();
  const enabled = input.enabled ?? true;
  const view = await withTransaction(deps.db, async (tx) => {
    await tx
      .insertInto('webhook_endpoint')
      .values({
        id,
        url,
        description: input.description ?? '',
        event_types: eventTypes,
        enabled,
        disabled_reason: enabled ? null : 'manual',
        disabled_at: enabled ? null : sql<Date>`now()`,
        secret_sealed: deps.secretBox.seal(secret, id),
        previous_secret_sealed: null,
        previous_secret_expires_at: null,
        failing_since: null,
        last_success_at: null,
        last_failure_at: null,
      })
      .execute();
    await recordAudit(tx, ctx, {
      action: 'webhook_endpoint.created',
      targetType: 'webhook_endpoint',
      targetId: id,
      changes: { url, eventTypes, enabled },
    });
    return viewOf(tx, id);
  });
  return { ...view, secret };
}

/**
 * Compare-and-set on `version` (If-Match). `enabled: false` disables with reason `manual` (an endpoint
 * already disabled keeps its reason and time); `enabled: true` on a disabled endpoint clears the
 * reason and the failing clock, so it gets a fresh `WEBHOOK_DISABLE_AFTER_HOURS`.
 * @throws 404, 412 VersionMismatchError, 400 (URL or event types).
 */
export async function updateEndpoint(
  deps: WebhooksDeps,
  ctx: AuditContext,
  id: string,
  expected: number,
  input: UpdateEndpointInput,
): Promise<EndpointViewT> {
  const eventTypes = input.eventTypes && normaliseEventTypes(input.eventTypes, deps.catalogue);
  const url = input.url === undefined ? undefined : await checkEndpointUrl(input.url, deps.urlPolicy);
  return withTransaction(deps.db, async (tx) => {
    let update = tx
      .updateTable('webhook_endpoint')
      .set({ version: sql`version + 1`, updated_at: sql`now()` })
      .where('id', '=', id)
      .where('version', '=', expected);
    if (url !== undefined) update = update.set({ url });
    if (input.description !== undefined) update = update.set({ description: input.description });
    if (eventTypes) update = update.set({ event_types: eventTypes });
    if (input.enabled === false) {
      // On the right-hand side, columns are the row before this update.
      update = update.set({
        enabled: false,
        disabled_reason: sql`case when enabled then 'manual' else disabled_reason end`,
        disabled_at: sql`case when enabled then now() else disabled_at end`,
      });
    } else if (input.enabled === true) {
      update = update.set({
        enabled: true,
        disabled_reason: null,
        disabled_at: null,
        failing_since: sql`case when enabled then failing_since end`,
      });
    }
    const row = await update.returning('id').executeTakeFirst();
    if (!row) {
      const current = await tx.selectFrom('webhook_endpoint').select('version').where('id', '=', id).executeTakeFirst();
      if (!current) throw new WebhookEndpointNotFoundError(id);
      throw new VersionMismatchError(current.version);
    }
    const changes = {
      ...(url !== undefined ? { url } : {}),
      ...(input.description !== undefined ? { description: input.description } : {}),
      ...(eventTypes ? { eventTypes } : {}),
      ...(input.enabled !== undefined ? { enabled: input.enabled } : {}),
    };
    await recordAudit(tx, ctx, {
      action: 'webhook_endpoint.updated',
      targetType: 'webhook_endpoint',
      targetId: id,
      changes,
    });
    return viewOf(tx, id);
  });
}

/**
 * Deletes the endpoint; its deliveries and their attempts go with it (cascade). With `expected`
 * (If-Match), only that version. @throws 404, 412.
 */
export async function deleteEndpoint(
  deps: WebhooksDeps,
  ctx: AuditContext,
  id: string,
  expected: number | undefined,
): Promise<void> {
  await withTransaction(deps.db, async (tx) => {
    let del = tx.deleteFrom('webhook_endpoint').where('id', '=', id);
    if (expected !== undefined) del = del.where('version', '=', expected);
    const row = await del.returning(['url']).executeTakeFirst();
    if (!row) {
      const current = await tx.selectFrom('webhook_endpoint').select('version').where('id', '=', id).executeTakeFirst();
      if (!current) throw new WebhookEndpointNotFoundError(id);
      throw new VersionMismatchError(current.version);
    }
    await recordAudit(tx, ctx, {
      action: 'webhook_endpoint.deleted',
      targetType: 'webhook_endpoint',
      targetId: id,
      changes: { url: row.url },
    });
  });
}

/**
 * A new signing secret. The one it replaces keeps signing (both signatures are sent) for
 * `overlapHours`; 0 retires it at once. Only one previous secret is kept: rotating again while an
 * overlap runs drops the older previous secret at once and keeps the one being retired now.
 * One statement, so two rotations at once cannot lose a secret between them. @throws 404.
 */
export async function rotateSecret(
  deps: WebhooksDeps,
  ctx: AuditContext,
  id: string,
  overlapHours: number,
): Promise<{ secret: string; previousSecretExpiresAt: string | null }> {
  const secret = newSigningSecret();
  const sealed = deps.secretBox.seal(secret, id);
  return withTransaction(deps.db, async (tx) => {
    const keep = overlapHours > 0;
    const row = await tx
      .updateTable('webhook_endpoint')
      .set({
        // The right-hand `secret_sealed` is the value before this update: the secret being retired.
        previous_secret_sealed: keep ? sql`secret_sealed` : null,
        previous_secret_expires_at: keep ? sql`now() + make_interval(hours => ${overlapHours}::int)` : null,
        secret_sealed: sealed,
        version: sql`version + 1`,
        updated_at: sql`now()`,
      })
      .where('id', '=', id)
      .returning(['previous_secret_expires_at'])
      .executeTakeFirst();
    if (!row) throw new WebhookEndpointNotFoundError(id);
    await recordAudit(tx, ctx, {
      action: 'webhook_endpoint.secret_rotated',
      targetType: 'webhook_endpoint',
      targetId: id,
      changes: { overlapHours },
    });
    return { secret, previousSecretExpiresAt: row.previous_secret_expires_at?.toISOString() ?? null };
  });
}

/**
 * Queues again every event since `since` that the endpoint subscribes to (the fan-out's
 * `replayEndpoint`: batches, each its own transaction), then records one audit row for the request.
 * @throws 404 for an unknown endpoint (nothing queued).
 */
export async function replayEndpointAudited(
  deps: WebhooksDeps,
  ctx: AuditContext,
  id: string,
  since: Date,
): Promise<{ queued: number }> {
  const result = await replayEndpoint(deps, id, since);
  await withTransaction(deps.db, (tx) =>
    recordAudit(tx, ctx, {
      action: 'webhook_endpoint.replayed',
      targetType: 'webhook_endpoint',
      targetId: id,
      changes: { since: since.toISOString(), queued: result.queued },
    }),
  );
  return result;
}
