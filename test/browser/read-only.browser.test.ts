import { randomUUID } from 'node:crypto';
import type { Locator, Page } from 'playwright-core';
import { beforeAll, expect, it } from 'vitest';
import { createStaff, ownerSession, type StaffSession, signInPage } from './support/auth.js';
import { describeBrowser, newPage } from './support/browser.js';
import { guestCheckout } from './support/checkout.js';
import { settled } from './support/settled.js';
import { useBrowserSuite } from './support/suite.js';

/**
 * A `role_read_only` member (every `:read` permission, nothing else) sees the shop but no button that would change it;
 * the owner, on the same pages, does see them (so the check can fail). The same changes made through the API with
 * the member's token anyway are refused with 403 and change nothing.
 */

/** Visible buttons and button-like links that change something, by the start of their accessible name. */
const mutating =
  /^(capture|cancel|fulfil|ship|mark .*delivered|deliver|refund|request (a )?return|approve|reject|receive|save|create|new\b|add\b|edit\b|delete|remove|archive|unarchive|publish|activate|deactivate|make |set |change |adjust|transfer|move\b|disable|enable|erase|export data|import|upload|bulk|duplicate|restock)/i;

/** The accessible names of the visible buttons and links in the page's main area (dialogs closed). */
async function actionNames(page: Page): Promise<string[]> {
  const main = page.locator('main');
  const names: string[] = [];
  for (const role of ['button', 'link', 'menuitem'] as const) {
    for (const el of await main.getByRole(role).all()) {
      if (!(await el.isVisible())) continue;
      const label = (await el.getAttribute('aria-label')) ?? (await el.textContent()) ?? '';
      names.push(label.replace(/\s+/g, ' ').trim());
    }
  }
  return names;
}

interface Checked {
  path: () => string;
  /** Something only shown once the page's data is there (for both members). */
  ready: (page: Page) => Locator;
  /** Opens what hides more actions (a row selection, a collapsed section), as a member would. */
  open?: (page: Page, who: 'owner' | 'member') => Promise<void>;
  /** The owner has something to change here (so seeing nothing as the member proves the hiding). */
  ownerActs: boolean;
}

describeBrowser('a read-only member', () => {
  const s = useBrowserSuite();
  let owner: StaffSession;
  let member: StaffSession;
  const ids: Record<'order' | 'product' | 'item' | 'customer', string> = {
    order: '',
    product: '',
    item: '',
    customer: '',
  };

  beforeAll(async () => {
    owner = await ownerSession(s.server);
    member = await createStaff(s.server, 'role_read_only', { ownerToken: owner.token });
    const api = s.server.api(owner.token);
    ids.order = (await guestCheckout(s.server, { email: 'ro-order@example.com' })).id;
    await s.server.api().POST('/v1/store/customers', {
      body: { email: 'ro-customer@example.com', password: 'a long customer password 2', firstName: 'Rosa' },
    });
    const { data: customers } = await api.GET('/v1/admin/customers', {
      params: { query: { q: 'ro-customer@example.com' } },
    });
    ids.customer = customers.data[0]?.id ?? '';
    // A note, so the member's view of the notes list (with its remove buttons for others) is checked too.
    await api.POST('/v1/admin/customers/{id}/notes', {
      params: { path: { id: ids.customer } },
      body: { body: 'Prefers email' },
      headers: { 'Idempotency-Key': randomUUID() },
    });
    const { data: products } = await api.GET('/v1/admin/products', { params: { query: { limit: 1 } } });
    ids.product = products.data[0]?.id ?? '';
    const { data: items } = await api.GET('/v1/admin/inventory/items', { params: { query: { limit: 1 } } });
    ids.item = items.data[0]?.id ?? '';
    for (const [k, v] of Object.entries(ids)) expect(v, k).not.toBe('');
  }, 120_000);

  const link = (prefix: string) => (page: Page) => page.locator(`main a[href^="/admin/${prefix}"]`);
  const heading = (name: string | RegExp) => (page: Page) => page.getByRole('heading', { level: 2, name });
  const pages: Record<string, Checked> = {
    orders: { path: () => '/orders', ready: link('orders/ord_'), ownerActs: false },
    'order detail': { path: () => `/orders/${ids.order}`, ready: heading('Timeline'), ownerActs: true },
    products: {
      path: () => '/products',
      ready: link('products/prod_'),
      ownerActs: true,
      // The bulk actions (status, prices) appear once a row is selected; the member cannot select at all.
      open: async (page, who) => {
        const select = page.getByRole('checkbox', { name: /^Select / });
        if (who === 'member') expect(await select.count(), 'selection checkboxes shown to the member').toBe(0);
        else await select.first().check();
      },
    },
    'product detail': { path: () => `/products/${ids.product}`, ready: heading(/^Variants/), ownerActs: true },
    inventory: { path: () => '/inventory', ready: link('inventory/'), ownerActs: false },
    'inventory item': { path: () => `/inventory/${ids.item}`, ready: heading('Movement history'), ownerActs: true },
    customers: { path: () => '/customers', ready: link('customers/cus_'), ownerActs: false },
    'customer detail': {
      path: () => `/customers/${ids.customer}`,
      ready: (page) => page.getByText('Prefers email'),
      ownerActs: true,
    },
    categories: { path: () => '/categories', ready: (page) => page.getByText('Clothing'), ownerActs: true },
    collections: {
      path: () => '/collections',
      ready: heading(/Staff Picks/),
      ownerActs: true,
      // Each collection's products (reorder, remove, add) are behind its "Products" button.
      open: async (page) => {
        await page.getByRole('button', { name: 'Products', exact: true }).first().click();
        await page.locator('main [id^="collection-"] ol').first().waitFor();
        await expect
          .poll(() => page.locator('main [role="status"]', { hasText: /^Loading/ }).count(), { timeout: 20_000 })
          .toBe(0);
      },
    },
    imports: { path: () => '/imports', ready: heading('Import products and stock'), ownerActs: true },
  };

  it('sees no mutating button on any page, where the owner sees them', async () => {
    const memberPage = await newPage(s.browser);
    const ownerPage = await newPage(s.browser);
    const found: Record<string, { member: string[]; owner: string[] }> = {};
    try {
      for (const [name, checked] of Object.entries(pages)) {
        await signInPage(memberPage, s.server, member.token, `/admin${checked.path()}`);
        await signInPage(ownerPage, s.server, owner.token, `/admin${checked.path()}`);
        await Promise.all([settled(memberPage, checked.ready), settled(ownerPage, checked.ready)]);
        await checked.open?.(memberPage, 'member');
        await checked.open?.(ownerPage, 'owner');
        found[name] = {
          member: (await actionNames(memberPage)).filter((n) => mutating.test(n)),
          owner: (await actionNames(ownerPage)).filter((n) => mutating.test(n)),
        };
      }
      // The product form is shown read-only: every field disabled.
      await signInPage(memberPage, s.server, member.token, `/admin/products/${ids.product}`);
      await settled(memberPage, pages['product detail']?.ready ?? heading(/^Variants/));
      expect(await memberPage.getByRole('textbox', { name: 'Title', exact: true }).isDisabled()).toBe(true);
    } finally {
      await memberPage.context().close();
      await ownerPage.context().close();
    }
    for (const [name, { member: m, owner: o }] of Object.entries(found)) {
      expect(m, `${name}: buttons shown to the read-only member`).toEqual([]);
      if (pages[name]?.ownerActs) {
        expect(o.length, `${name}: the owner sees no mutating button, so this check proves nothing`).toBeGreaterThan(0);
      }
    }
  });

  /** One request as the member, the way a hand-made call would be sent. */
  async function asMember(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    const res = await fetch(`${s.server.baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${member.token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(method === 'GET' ? {} : { 'idempotency-key': randomUUID() }),
        ...headers,
      },
      // A string is sent as it is (a CSV upload, with its content-type in `headers`).
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, code: text ? ((JSON.parse(text) as { code?: string }).code ?? '') : '' };
  }

  it('is refused with 403 by the API for the same changes, and nothing changes', async () => {
    const api = s.server.api(owner.token);
    const { data: orderBefore } = await api.GET('/v1/admin/orders/{id}', { params: { path: { id: ids.order } } });
    const { data: productBefore } = await api.GET('/v1/admin/products/{id}', {
      params: { path: { id: ids.product } },
    });
    const { data: itemBefore } = await api.GET('/v1/admin/inventory/items/{id}', {
      params: { path: { id: ids.item } },
    });
    const locationId = itemBefore.levels[0]?.locationId ?? '';

    // Reading is allowed: the token works.
    expect((await asMember('GET', `/v1/admin/orders/${ids.order}`)).status).toBe(200);

    const attempts: [string, string, unknown?, Record<string, string>?][] = [
      ['POST', `/v1/admin/orders/${ids.order}/capture`, {}],
      ['POST', `/v1/admin/orders/${ids.order}/cancel`, { reason: 'read-only member tries' }],
      ['POST', `/v1/admin/orders/${ids.order}/notes`, { body: 'read-only note' }],
      ['POST', '/v1/admin/products', { title: 'Read-only product' }],
      [
        'PATCH',
        `/v1/admin/products/${ids.product}`,
        { title: 'Renamed by read-only' },
        { 'if-match': `"${productBefore.version}"` },
      ],
      ['POST', `/v1/admin/inventory/items/${ids.item}/adjustments`, { locationId, delta: 5, reason: 'correction' }],
      ['POST', '/v1/admin/prices/bulk', { prices: [] }],
      ['POST', '/v1/admin/categories', { name: 'Read-only category' }],
      [
        'POST',
        '/v1/admin/imports',
        'handle,title\nread-only-import,Read-only import\n',
        { 'content-type': 'text/csv' },
      ],
      ['POST', '/v1/admin/collections', { title: 'Read-only collection' }],
      ['POST', `/v1/admin/customers/${ids.customer}/notes`, { body: 'read-only note' }],
      ['POST', `/v1/admin/customers/${ids.customer}/disable`, {}],
      ['POST', `/v1/admin/customers/${ids.customer}/erase`, { confirm: 'ro-customer@example.com' }],
      ['GET', `/v1/admin/customers/${ids.customer}/export`],
    ];
    for (const [method, path, body, headers] of attempts) {
      const answer = await asMember(method, path, body, headers);
      expect(answer, `${method} ${path}`).toEqual({ status: 403, code: 'PERMISSION_DENIED' });
    }

    const { data: orderAfter } = await api.GET('/v1/admin/orders/{id}', { params: { path: { id: ids.order } } });
    expect(orderAfter).toMatchObject({ status: orderBefore.status, paymentStatus: orderBefore.paymentStatus });
    expect(orderAfter.timeline).toHaveLength(orderBefore.timeline.length);
    const { data: productAfter } = await api.GET('/v1/admin/products/{id}', { params: { path: { id: ids.product } } });
    expect(productAfter).toMatchObject({ title: productBefore.title, version: productBefore.version });
    const { data: itemAfter } = await api.GET('/v1/admin/inventory/items/{id}', { params: { path: { id: ids.item } } });
    expect(itemAfter.levels).toEqual(itemBefore.levels);
    const { data: customer } = await api.GET('/v1/admin/customers/{id}', { params: { path: { id: ids.customer } } });
    expect(customer).toMatchObject({ email: 'ro-customer@example.com', status: 'enabled', erased: false });
    expect(customer.notes.map((n) => n.body)).toEqual(['Prefers email']);
    const { data: categories } = await api.GET('/v1/admin/categories');
    expect(categories.data.map((c) => c.name)).not.toContain('Read-only category');
    const { data: jobs } = await api.GET('/v1/admin/imports');
    expect(jobs.data).toEqual([]);
    const { data: collections } = await api.GET('/v1/admin/collections');
    expect(collections.data.map((c) => c.title)).not.toContain('Read-only collection');
  });
});
