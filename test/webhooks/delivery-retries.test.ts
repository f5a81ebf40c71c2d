import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startWebhookWorker, type WebhookWorker } from '../../src/modules/webhooks/delivery.worker.js';
import {
  maxAttempts,
  retryDelayMs,
  retryDelaysSeconds,
  retryJitter,
} from '../../src/modules/webhooks/retry-schedule.js';
import { newId } from '../../src/platform/ids.js';
import {
  addEndpoint,
  addEvent,
  attemptsOf,
  createHarness,
  deliveryOf,
  endpointRow,
  type Harness,
  noFeed,
  Receiver,
  waitFor,
} from './delivery.support.js';

describe('webhook retries and endpoint health', () => {
  let h: Harness;
  let receiver: Receiver;
  let worker: WebhookWorker | undefined;

  beforeAll(async () => {
    h = await createHarness();
  });
  afterEach(async () => {
    await worker?.stop();
    worker = undefined;
    await receiver?.close();
  });
  afterAll(async () => {
    await h.close();
  });

  it('retries for about three days: 12 attempts, 5 s up to 24 h apart, each delay within ±20%', () => {
    expect(maxAttempts).toBe(12);
    expect(retryDelaysSeconds).toEqual([5, 30, 120, 600, 1800, 3600, 10800, 21600, 43200, 86400, 86400]);
    const days = retryDelaysSeconds.reduce((a, b) => a + b, 0) / 86400;
    expect(days).toBeGreaterThan(2.9);
    expect(days).toBeLessThan(3);
    expect(retryJitter).toBe(0.2);
    expect(retryDelayMs(1, () => 0)).toBe(4000);
    expect(retryDelayMs(1, () => 0.5)).toBe(5000);
    expect(retryDelayMs(11, () => 0.999999)).toBeCloseTo(86_400_000 * 1.2, -2);
    expect(retryDelayMs(12)).toBeNull();
  });

  it('sends the event again after each failure, stops once it succeeds, and logs every attempt', async () => {
    receiver = await Receiver.start();
    const ep = await addEndpoint(h, receiver.url());
    const event = await addEvent(h, [ep.id], { resourceId: 'ord_retry' });
    receiver.answer = (r) =>
      r.id === event.eventId && receiver.received.filter((x) => x.id === event.eventId).length <= 3
        ? { status: 500, body: 'down for maintenance' }
        : { status: 200, body: 'ok' };
    worker = startWebhookWorker(h.deps, { feed: noFeed, retryDelayMs: () => 20 });
    await waitFor('the fourth attempt', () => receiver.received.length >= 4);
    // A later event getting through proves the worker went on running after the success.
    const later = await addEvent(h, [ep.id], { resourceId: 'ord_other' });
    await waitFor('the later event', () => receiver.ids().includes(later.eventId));
    await worker.stop();
    worker = undefined;

    expect(receiver.ids().filter((id) => id === event.eventId)).toHaveLength(4);
    const d = await deliveryOf(h, ep.id, event.eventId);
    expect(d).toMatchObject({ status: 'delivered', attempts: 4, last_status_code: 200, last_error: null });
    const attempts = await attemptsOf(h, d.id);
    expect(attempts.map((a) => [a.attempt, a.status_code, a.error])).toEqual([
      [1, 500, 'HTTP 500'],
      [2, 500, 'HTTP 500'],
      [3, 500, 'HTTP 500'],
      [4, 200, null],
    ]);
    expect(attempts[0]?.response_excerpt).toBe('down for maintenance');
    const endpoint = await endpointRow(h, ep.id);
    expect(endpoint.failing_since).toBeNull();
    expect(endpoint.last_failure_at).toBeInstanceOf(Date);
    expect(endpoint.enabled).toBe(true);
  });

  it('marks the delivery failed after the last attempt, keeping at most 4 KB of each answer', async () => {
    receiver = await Receiver.start();
    const ep = await addEndpoint(h, receiver.url());
    const event = await addEvent(h, [ep.id], { resourceId: 'ord_gives_up' });
    receiver.answer = () => ({ status: 503, body: 'x'.repeat(100_000) });
    worker = startWebhookWorker(h.deps, { feed: noFeed, retryDelayMs: (n) => (n < 3 ? 20 : null) });
    await waitFor(
      'the delivery to fail for good',
      async () => (await deliveryOf(h, ep.id, event.eventId)).status === 'failed',
    );
    await worker.stop();
    worker = undefined;
    const d = await deliveryOf(h, ep.id, event.eventId);
    expect(d).toMatchObject({ attempts: 3, last_status_code: 503, last_error: 'HTTP 503', leased_until: null });
    const attempts = await attemptsOf(h, d.id);
    expect(attempts).toHaveLength(3);
    for (const a of attempts) expect(a.response_excerpt).toBe('x'.repeat(4096));
    expect(receiver.received).toHaveLength(3);
    const endpoint = await endpointRow(h, ep.id);
    expect(endpoint.failing_since).toBeInstanceOf(Date);
    expect(endpoint.enabled).toBe(true);
  });

  it('records a refused connection as a failed attempt and the endpoint as failing', async () => {
    receiver = await Receiver.start();
    const url = receiver.url();
    await receiver.close(); // nothing listens there any more
    const ep = await addEndpoint(h, url);
    const event = await addEvent(h, [ep.id], { resourceId: 'ord_refused' });
    worker = startWebhookWorker(h.deps, { feed: noFeed, retryDelayMs: () => 60_000 });
    const d = await waitFor('the failed attempt', async () => {
      const row = await deliveryOf(h, ep.id, event.eventId);
      return row.last_error ? row : null;
    });
    expect(d).toMatchObject({ status: 'pending', attempts: 1, last_status_code: null });
    expect(d.last_error).toMatch(/^connection refused/);
    expect(d.next_attempt_at.getTime()).toBeGreaterThan(Date.now() + 30_000);
    expect((await endpointRow(h, ep.id)).failing_since).toBeInstanceOf(Date);
  });

  it('disables an endpoint that answers 410 Gone (audited), and sends it nothing more', async () => {
    receiver = await Receiver.start();
    const ep = await addEndpoint(h, receiver.url());
    const first = await addEvent(h, [ep.id], { resourceId: 'ord_gone' });
    receiver.answer = () => ({ status: 410 });
    worker = startWebhookWorker(h.deps, { feed: noFeed, retryDelayMs: () => 20 });
    await waitFor('the endpoint to be disabled', async () => !(await endpointRow(h, ep.id)).enabled);
    await addEvent(h, [ep.id], { resourceId: 'ord_gone_2' });
    // Another endpoint still served proves rounds went on while the disabled one got nothing.
    const other = await Receiver.start();
    try {
      const ep2 = await addEndpoint(h, other.url());
      const e2 = await addEvent(h, [ep2.id], { resourceId: 'ord_elsewhere' });
      await waitFor('the other endpoint', () => other.ids().includes(e2.eventId));
    } finally {
      await other.close();
    }
    await worker.stop();
    worker = undefined;

    expect(receiver.ids()).toEqual([first.eventId]);
    const endpoint = await endpointRow(h, ep.id);
    expect(endpoint).toMatchObject({ enabled: false, disabled_reason: 'gone' });
    const d = await deliveryOf(h, ep.id, first.eventId);
    expect(d).toMatchObject({ status: 'pending', attempts: 1, last_status_code: 410 });
    const audit = await h.db.db
      .selectFrom('audit_log')
      .selectAll()
      .where('target_id', '=', ep.id)
      .where('action', '=', 'webhook_endpoint.disabled')
      .execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actor_type: 'system', actor_id: null });
    expect(audit[0]?.changes).toMatchObject({ reason: 'gone' });
  });

  it('disables an endpoint failing longer than disableAfterHours and emails each webhooks:manage staff member once', async () => {
    const staff = async (email: string, roleId: string, status: 'active' | 'disabled' = 'active') =>
      h.db.db
        .insertInto('staff_user')
        .values({
          id: newId('staff'),
          email,
          email_normalized: email,
          name: null,
          password_hash: 'argon2id-hash-not-used-here',
          role_id: roleId,
          status,
          mfa_secret: null,
          mfa_enabled_at: null,
          mfa_pending_secret: null,
          invited_by: null,
          last_login_at: null,
        })
        .execute();
    const customRole = newId('role');
    await h.db.db
      .insertInto('role')
      .values({ id: customRole, name: 'integrations', description: null, permissions: ['webhooks:manage'] })
      .execute();
    await staff('owner@shop.test', 'role_owner');
    await staff('integrator@shop.test', customRole);
    await staff('catalog@shop.test', 'role_catalog_manager');
    await staff('former-admin@shop.test', 'role_admin', 'disabled');

    receiver = await Receiver.start();
    receiver.answer = () => ({ status: 500 });
    const hours = h.deps.settings.disableAfterHours;
    const old = await addEndpoint(h, receiver.url('/old'), {
      failingSince: new Date(Date.now() - (hours + 1) * 3600_000),
    });
    const recent = await addEndpoint(h, receiver.url('/recent'), { failingSince: new Date(Date.now() - 3600_000) });
    await addEvent(h, [old.id, recent.id], { resourceId: 'ord_failing' });
    await addEvent(h, [old.id, recent.id], { resourceId: 'ord_failing_2' });
    worker = startWebhookWorker(h.deps, { feed: noFeed, retryDelayMs: () => 20 });
    await waitFor('the old endpoint to be disabled', async () => !(await endpointRow(h, old.id)).enabled);
    // The recent one keeps being retried: rounds after the disabling have run once it has failed 6 times.
    await waitFor('more rounds', () => receiver.received.filter((r) => r.path === '/recent').length >= 6);
    await worker.stop();
    worker = undefined;

    expect(await endpointRow(h, old.id)).toMatchObject({ enabled: false, disabled_reason: 'failing' });
    expect(await endpointRow(h, recent.id)).toMatchObject({ enabled: true });
    const mails = await h.db.db
      .selectFrom('notification')
      .select(['recipient', 'subject', 'body'])
      .where('template', '=', 'webhook-endpoint-disabled')
      .orderBy('recipient')
      .execute();
    expect(mails.map((m) => m.recipient)).toEqual(['integrator@shop.test', 'owner@shop.test']);
    expect(mails[0]?.body).toContain(receiver.url('/old'));
    expect(mails[0]?.body).toContain(`PATCH /v1/admin/webhook-endpoints/${old.id}`);
    expect(mails[0]?.body).toContain('HTTP 500');
    expect(mails[0]?.subject).toContain('disabled');
  });
});
