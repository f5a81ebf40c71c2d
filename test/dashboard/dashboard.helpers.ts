import { auth } from '../identity/staff.helpers.js';
import type { TestApp } from '../support/app.js';

type Money = { amount: number; currency: string };
type Day = { orders: number; sales: Money };

export interface DashboardBody {
  timeZone: string;
  today: string;
  yesterday: string;
  sales: { currency: string; today: Day; yesterday: Day; yesterdaySoFar: Day }[];
  awaitingCapture: { count: number; filter: Record<string, string[]> };
  awaitingFulfillment: { count: number; filter: Record<string, string[]> };
  lowStock?: {
    total: number;
    items: {
      itemId: string;
      sku: string;
      title: string | null;
      variantTitle: string | null;
      available: number;
      lowStockThreshold: number;
      locations: { locationId: string; code: string; available: number }[];
    }[];
  };
  activity: {
    id: string;
    type: string;
    description: string;
    sequence: string;
    resource: { type: string; id: string; path: string };
  }[];
}

export async function dashboard(t: TestApp, token: string): Promise<DashboardBody> {
  const res = await t.app.inject({ method: 'GET', url: '/v1/admin/dashboard', headers: auth(token) });
  if (res.statusCode !== 200) throw new Error(`dashboard: ${res.statusCode} ${res.body}`);
  return res.json<DashboardBody>();
}

export const salesIn = (d: DashboardBody, currency: string) => {
  const row = d.sales.find((s) => s.currency === currency);
  if (!row) throw new Error(`no ${currency} row in ${JSON.stringify(d.sales)}`);
  return row;
};

export interface SseEvent {
  id?: string;
  event?: string;
  data?: string;
}

/**
 * Opens an SSE stream and collects events until `until` says stop (or the time runs out). `onOpen` runs once the
 * first event (`ready`) has arrived, so what it does happens after the stream watches.
 */
export async function collect(
  url: string,
  headers: Record<string, string>,
  until: (events: SseEvent[]) => boolean,
  opts: { ms?: number; onReady?: () => Promise<unknown> } = {},
) {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), opts.ms ?? 8000);
  const res = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: ac.signal });
  const events: SseEvent[] = [];
  let raw = '';
  let ready: Promise<unknown> | undefined;
  try {
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    while (!until(events)) {
      const { value, done } = await reader.read();
      if (done) break;
      raw += decoder.decode(value, { stream: true });
      events.length = 0;
      for (const block of raw.split('\n\n')) {
        const e: SseEvent = {};
        for (const line of block.split('\n')) {
          const m = /^(id|event|data): (.*)$/.exec(line);
          if (m) e[m[1] as keyof SseEvent] = m[2];
        }
        if (e.event) events.push(e);
      }
      if (!ready && events.some((e) => e.event === 'ready')) ready = opts.onReady?.() ?? Promise.resolve();
    }
  } catch (err) {
    if (!ac.signal.aborted) throw err;
  } finally {
    clearTimeout(timer);
    ac.abort();
  }
  await ready;
  return { status: res.status, type: res.headers.get('content-type'), events, raw };
}

export const changed = (events: SseEvent[]) =>
  events
    .filter((e) => e.event === 'changed')
    .map((e) => JSON.parse(e.data ?? '{}') as { topics: string[]; sequence: number });
