import { BackroomError, createBackroomClient } from '@backroom/client';
import type { Page } from 'playwright-core';
import { beforeAll, expect, it } from 'vitest';
import { signInPage, staffToken } from './support/auth.js';
import { describeBrowser, newPage, phone } from './support/browser.js';
import { guestCheckout } from './support/checkout.js';
import { checkPage } from './support/checks.js';
import { useBrowserSuite } from './support/suite.js';

/**
 * The orders list in the admin app, over 22 guest checkouts placed through the storefront API: #0 captured (paid),
 * #1 fulfilled, #2 cancelled, #3 shipped to "Grace Hopper", #7 of three units, #21 placed in a second sales channel.
 * Search by number, email and name; each filter (status, payment, fulfilment, channel, days) from the selects and
 * from the URL (the Home page's links); sort by total; cursor paging of 20 without a row missed or repeated; a row
 * opening its order; a new order appearing without a reload; axe, phone size and screenshots on the way.
 */
describeBrowser('admin orders list', () => {
  const s = useBrowserSuite();
  let token: string;
  const placed: { id: string; number: number; email: string; total: number }[] = [];
  let channel: { id: string; name: string };
  /** The cancelled order's fulfilment state as the API answered the cancel. */
  let cancelledFulfilment: string;
  // Demo products with stock on their first variant (the cardigan has none, the weekender bag only 2).
  const handles = [
    'organic-cotton-t-shirt',
    'striped-breton-t-shirt',
    'merino-wool-sweater',
    'linen-summer-shirt',
    'oxford-button-down-shirt',
    'canvas-tote-bag',
    'stoneware-coffee-mug',
    'wool-beanie',
  ];
  const CHANNEL_ORDER = 21;
  const channelProduct = handles[CHANNEL_ORDER % handles.length] ?? '';

  const at = (i: number) => {
    const o = placed[i];
    if (!o) throw new Error(`no order ${i}`);
    return o;
  };

  /** A second sales channel selling `channelProduct`, and a storefront key pinned to it. */
  async function marketStall(): Promise<string> {
    const api = s.server.api(token);
    const { data: created } = await api.POST('/v1/admin/sales-channels', { body: { name: 'Market stall' } });
    channel = { id: created.id, name: created.name };
    const { data: found } = await api.GET('/v1/admin/products', { params: { query: { q: channelProduct } } });
    const summary = found.data.find((p) => p.handle === channelProduct);
    if (!summary) throw new Error(`no product ${channelProduct}`);
    const { data: product } = await api.GET('/v1/admin/products/{id}', { params: { path: { id: summary.id } } });
    await api.PATCH('/v1/admin/products/{id}', {
      params: { path: { id: product.id }, header: { 'if-match': `"${product.version}"` } },
      body: { salesChannelIds: [...product.salesChannelIds, channel.id] },
    });
    const { data: key } = await api.POST('/v1/admin/api-keys', {
      body: { name: 'market stall storefront', kind: 'publishable', salesChannelId: channel.id },
    });
    // The storefront reads a read model: wait until the channel's storefront sells the product.
    const shop = createBackroomClient({ baseUrl: s.server.baseUrl, publishableKey: key.key, retries: 0 });
    const deadline = Date.now() + 10_000;
    for (;;) {
      try {
        await shop.GET('/v1/store/products/{idOrHandle}', { params: { path: { idOrHandle: channelProduct } } });
        break;
      } catch (err) {
        if (!(err instanceof BackroomError && err.status === 404) || Date.now() > deadline) throw err;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    return key.key;
  }

  beforeAll(async () => {
    token = (await staffToken(s.server)).token;
    const api = s.server.api(token);
    const publishableKey = await marketStall();
    const run = Date.now().toString(36);
    // One after another: each order is created after the previous one, so "newest" is the reverse of the numbers.
    for (let i = 0; i < 22; i++) {
      const email = `list-${i}-${run}@example.com`;
      const o = await guestCheckout(s.server, {
        email,
        product: handles[i % handles.length],
        quantity: i === 7 ? 3 : 1,
        ...(i === 3 ? { firstName: 'Grace', lastName: 'Hopper' } : {}),
        ...(i === CHANNEL_ORDER ? { publishableKey } : {}),
      });
      placed.push({ id: o.id, number: o.number, email, total: o.total.amount });
    }
    const path = (i: number) => ({ path: { id: at(i).id } });
    await api.POST('/v1/admin/orders/{id}/capture', { params: path(0), body: {} });
    const { data: second } = await api.GET('/v1/admin/orders/{id}', { params: path(1) });
    const lines = second.lines.map((l) => ({ lineId: l.id, quantity: l.quantity }));
    await api.POST('/v1/admin/orders/{id}/fulfillments', { params: path(1), body: { lines } });
    const { data: cancelled } = await api.POST('/v1/admin/orders/{id}/cancel', { params: path(2), body: {} });
    expect(cancelled).toMatchObject({ status: 'cancelled', paymentStatus: 'voided' });
    cancelledFulfilment = cancelled.fulfillmentStatus;
    const { data: fulfilled } = await api.GET('/v1/admin/orders/{id}', { params: path(1) });
    expect(fulfilled.fulfillmentStatus).toBe('fulfilled');
  }, 240_000);

  /** The order numbers of the rows shown (desktop table). */
  const numbers = async (page: Page) =>
    (await page.locator('table tbody tr td:first-child').allTextContents()).map((t) => t.trim());
  /** Waits until the table shows exactly `expected` (numbers like `#1001`). */
  const shows = async (page: Page, expected: string[]) => {
    await expect.poll(() => numbers(page), { timeout: 10_000 }).toEqual(expected);
  };
  const label = (o: { number: number } | undefined) => `#${o?.number}`;
  const newestFirst = () => [...placed].sort((a, b) => b.number - a.number);
  const param = (page: Page, name: string) => new URL(page.url()).searchParams.get(name);
  /** `YYYY-MM-DD` of the browser's calendar, `plusDays` from now (the list filters the member's local days). */
  const day = (page: Page, plusDays: number) =>
    page.evaluate(
      `(() => { const d = new Date(${JSON.stringify(new Date().toISOString())}); d.setDate(d.getDate() + ${plusDays});
        return d.toLocaleDateString('en-CA'); })()`,
    ) as Promise<string>;

  it('lists, pages, searches by number, email and name, and sorts — all kept in the URL', async () => {
    const page = await newPage(s.browser);
    await signInPage(page, s.server, token, '/admin/orders');
    await page.getByRole('heading', { name: 'Orders', level: 1 }).waitFor();
    await shows(page, newestFirst().slice(0, 20).map(label));
    // The name on the order and the channel column (the shop has two channels now).
    const hopper = page.getByRole('row').filter({ hasText: label(at(3)) });
    await expect(hopper.getByText('Grace Hopper').isVisible()).resolves.toBe(true);
    const stall = page.getByRole('row').filter({ hasText: label(at(CHANNEL_ORDER)) });
    await expect(stall.getByRole('cell', { name: 'Market stall' }).isVisible()).resolves.toBe(true);
    await checkPage(page, 'orders-list', {
      ready: (p) =>
        p
          .getByRole('link', { name: label(newestFirst()[0]) })
          .first()
          .waitFor(),
    });

    // Paging: 20, then the last 2, then back — nothing missed or repeated.
    await page.getByRole('button', { name: 'Next' }).click();
    await expect.poll(() => param(page, 'cursor')).toBeTruthy();
    await shows(page, newestFirst().slice(20).map(label));
    await expect(page.getByRole('button', { name: 'Next' }).isDisabled()).resolves.toBe(true);
    await page.getByText('Page 2').waitFor();
    await page.getByRole('button', { name: 'Previous' }).click();
    await shows(page, newestFirst().slice(0, 20).map(label));
    await expect.poll(() => param(page, 'cursor')).toBeNull();
    await expect(page.getByRole('button', { name: 'Previous' }).isDisabled()).resolves.toBe(true);

    // Search: part of an email, an order number with its #, a name on the order (any case).
    await page.getByLabel('Search orders').fill('list-5-');
    await shows(page, [label(at(5))]);
    await expect.poll(() => param(page, 'q')).toBe('list-5-');
    await page.getByLabel('Search orders').fill(label(at(9)));
    await shows(page, [label(at(9))]);
    await page.getByLabel('Search orders').fill('hopper');
    await shows(page, [label(at(3))]);
    await page.getByLabel('Search orders').fill('nobody-ordered-this');
    await page.getByText('Nothing matches').waitFor();
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await shows(page, newestFirst().slice(0, 20).map(label));
    await expect.poll(() => param(page, 'q')).toBeNull();

    // Sort by total, highest first (equal totals newest first, by id); then oldest first.
    await page.getByLabel('Sort').selectOption('total_desc');
    const byTotal = [...placed].sort((a, b) => b.total - a.total || (a.id < b.id ? 1 : -1));
    await shows(page, byTotal.slice(0, 20).map(label));
    expect(param(page, 'sort')).toBe('total_desc');
    await page.getByLabel('Sort').selectOption('oldest');
    await shows(page, [...placed].slice(0, 20).map(label));
    expect(param(page, 'sort')).toBe('oldest');
    await page.context().close();
  });

  it('filters by status, payment, fulfilment, channel and days, each kept in the URL', async () => {
    const page = await newPage(s.browser);
    await signInPage(page, s.server, token, '/admin/orders');
    await page.getByRole('heading', { name: 'Orders', level: 1 }).waitFor();
    await shows(page, newestFirst().slice(0, 20).map(label));

    const only = async (control: string, value: string, param_: string, expected: string[]) => {
      await page.getByLabel(control, { exact: true }).selectOption(value);
      await shows(page, expected);
      expect(param(page, param_)).toBe(value);
      await page.getByRole('button', { name: 'Clear filters' }).click();
      await shows(page, newestFirst().slice(0, 20).map(label));
    };
    await only('Status', 'cancelled', 'status', [label(at(2))]);
    await only('Payment', 'paid', 'paymentStatus', [label(at(0))]);
    await only('Fulfilment', 'fulfilled', 'fulfillmentStatus', [label(at(1))]);
    await only('Channel', channel.id, 'salesChannelId', [label(at(CHANNEL_ORDER))]);

    // Two filters at once: placed orders whose payment is voided — none (the only voided one is cancelled).
    await page.getByLabel('Status', { exact: true }).selectOption('placed');
    await page.getByLabel('Payment', { exact: true }).selectOption('voided');
    await page.getByText('Nothing matches').waitFor();
    await page.getByRole('button', { name: 'Clear filters' }).click();

    // Days (the browser's calendar, `To` included): up to yesterday finds none; today finds them all.
    const [yesterday, today] = [await day(page, -1), await day(page, 0)];
    await page.getByLabel('To', { exact: true }).fill(yesterday);
    await page.getByText('Nothing matches').waitFor();
    expect(param(page, 'createdTo')).toBe(yesterday);
    await page.getByLabel('To', { exact: true }).fill(today);
    await page.getByLabel('From', { exact: true }).fill(today);
    await shows(page, newestFirst().slice(0, 20).map(label));
    expect(param(page, 'createdFrom')).toBe(today);
    expect(param(page, 'createdTo')).toBe(today);
    await page.context().close();
  });

  it('opens filtered from a link (as the Home page links), and a row opens its order', async () => {
    const page = await newPage(s.browser);
    await signInPage(page, s.server, token, '/admin/orders?paymentStatus=authorized&sort=oldest');
    await page.getByRole('heading', { name: 'Orders', level: 1 }).waitFor();
    // Oldest first, without the captured (#0) and the cancelled (#2, voided) orders.
    const authorized = placed.filter((_, i) => i !== 0 && i !== 2);
    await shows(page, authorized.slice(0, 20).map(label));
    await expect(page.getByLabel('Payment').inputValue()).resolves.toBe('authorized');
    await expect(page.getByLabel('Sort').inputValue()).resolves.toBe('oldest');

    // A combined state from elsewhere is shown as the applied filter, not as "All".
    const toFulfil = ['not_fulfilled', 'partially_fulfilled'];
    await page.goto(`${s.server.baseUrl}/admin/orders?fulfillmentStatus=${toFulfil.join(',')}`);
    await expect.poll(() => page.getByLabel('Fulfilment').inputValue()).toBe('not_fulfilled,partially_fulfilled');
    const unfulfilled = newestFirst().filter(
      (o) => o.id !== at(1).id && (o.id !== at(2).id || toFulfil.includes(cancelledFulfilment)),
    );
    await shows(page, unfulfilled.slice(0, 20).map(label));

    const target = newestFirst()[2];
    await page
      .getByRole('link', { name: label(target) })
      .first()
      .click();
    await page.waitForURL(new RegExp(`/admin/orders/${target?.id}$`));
    await page
      .getByRole('heading', { name: new RegExp(`${target?.number}`) })
      .first()
      .waitFor();

    // The phone layout: rows are cards with the number, customer and total; nothing scrolls sideways.
    await page.setViewportSize(phone);
    await page.goto(`${s.server.baseUrl}/admin/orders?q=${encodeURIComponent(at(3).email)}`);
    await page
      .getByRole('link', { name: label(at(3)) })
      .first()
      .waitFor();
    await checkPage(page, 'orders-list-search', {
      ready: (p) =>
        p
          .getByRole('link', { name: label(at(3)) })
          .first()
          .waitFor(),
    });
    await page.context().close();
  });

  // Last: it adds an order the other tests do not expect.
  it('shows a guest order placed through the API at the top without a reload', async () => {
    const page = await newPage(s.browser);
    try {
      await signInPage(page, s.server, token, '/admin/orders');
      await shows(page, newestFirst().slice(0, 20).map(label));
      await expect.poll(() => page.getByTestId('live-state').textContent(), { timeout: 15_000 }).toContain('Live');
      // A marker that a reload would wipe out.
      await page.evaluate('window.__stillHere = true');

      const email = `live-${Date.now()}@example.com`;
      const order = await guestCheckout(s.server, { email });
      await shows(page, [label(order), ...newestFirst().slice(0, 19).map(label)]);
      const row = page.getByRole('row').filter({ hasText: label(order) });
      await expect(row.getByText(email).isVisible()).resolves.toBe(true);
      expect(await page.evaluate('window.__stillHere === true')).toBe(true);
    } finally {
      await page.context().close();
    }
  });
});
