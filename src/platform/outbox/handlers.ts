import type { Logger } from '../logger.js';
import type { OutboxEvent } from './outbox.js';

export interface HandlerContext {
  logger: Logger;
  /** Aborted when the delivery times out; long handlers should honour it. */
  signal: AbortSignal;
}

/**
 * Handlers are called at least once per event (a crash after the handler but before the relay
 * records success means a second call), so they must be idempotent, keyed by `event.id`.
 */
export type EventHandler = (event: OutboxEvent, ctx: HandlerContext) => Promise<void>;

interface Registered {
  name: string;
  handle: EventHandler;
}

/** The in-process subscribers of outbox events, wired explicitly in `app.ts`/`workers`. */
export class EventHandlers {
  readonly #byType = new Map<string, Registered[]>();

  /** Subscribes `handle` to events of `type` (or `*` for every event). Names must be unique per type. */
  on(type: string, name: string, handle: EventHandler): this {
    const list = this.#byType.get(type) ?? [];
    if (list.some((h) => h.name === name)) throw new Error(`handler "${name}" already registered for ${type}`);
    list.push({ name, handle });
    this.#byType.set(type, list);
    return this;
  }

  for(type: string): readonly Registered[] {
    return [...(this.#byType.get(type) ?? []), ...(this.#byType.get('*') ?? [])];
  }
}
