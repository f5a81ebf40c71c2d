import type { Db } from '../../platform/db/database.js';
import { lastPosition, readEventsAfter } from '../../platform/outbox/feed.js';
import { sequenceEvents } from '../../platform/outbox/sequencer.js';
import { watchedTypes } from './activity.js';

/** What committed since the last batch: the event types seen, and the position read up to. */
export interface Change {
  types: ReadonlySet<string>;
  sequence: string;
}

type Listener = (change: Change) => void;

const BATCH = 500;

/**
 * One poller per process for every open dashboard stream: while at least one listener is subscribed it numbers
 * committed events (the sequencer: one indexed read when idle) and reads the outbox after its position, then tells
 * every listener which event types arrived. Reading the database rather than an in-process bus means a change made
 * through another server process (or a worker) reaches this one's streams too. With no listener it does nothing.
 */
export class ChangeFeed {
  private readonly listeners = new Set<Listener>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private cursor: string | undefined;
  private stopped = false;
  private waiting: ((position: string) => void)[] = [];

  constructor(
    private readonly db: Db,
    private readonly pollMs: number,
    private readonly onError: (err: unknown) => void,
  ) {}

  /** Position read up to so far (undefined before the first poll). */
  get position(): string | undefined {
    return this.cursor;
  }

  /**
   * Resolves with the position the feed reads after, once it has one: a change committed after that is reported
   * to every listener subscribed by then.
   */
  positioned(): Promise<string> {
    if (this.cursor !== undefined) return Promise.resolve(this.cursor);
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /** Starts polling with the first listener; the returned function unsubscribes (the last one stops the poller). */
  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    if (this.listeners.size === 1 && !this.stopped) this.schedule(0);
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) {
        clearTimeout(this.timer);
        this.timer = undefined;
        // The next subscriber starts from "now": nobody was listening meanwhile.
        this.cursor = undefined;
      }
    };
  }

  /** Stops for good (app close) and waits for a poll in flight. */
  async close(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.listeners.clear();
    for (const resolve of this.waiting.splice(0)) resolve(this.cursor ?? '0');
    await this.running;
  }

  private schedule(ms: number) {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.running = this.tick().finally(() => {
        this.running = undefined;
      });
    }, ms);
  }

  private async tick(): Promise<void> {
    if (this.stopped || this.listeners.size === 0) return;
    let more = false;
    try {
      await sequenceEvents(this.db);
      if (this.cursor === undefined) {
        const p = await lastPosition(this.db);
        this.cursor = p;
        for (const resolve of this.waiting.splice(0)) resolve(p);
      } else {
        const events = await readEventsAfter(this.db, {
          afterPosition: this.cursor,
          limit: BATCH,
          types: watchedTypes,
        });
        const last = events.at(-1);
        if (last) {
          this.cursor = last.position;
          const change: Change = { types: new Set(events.map((e) => e.type)), sequence: last.position };
          for (const l of [...this.listeners]) l(change);
        }
        more = events.length === BATCH;
      }
    } catch (err) {
      this.onError(err);
    }
    if (!this.stopped && this.listeners.size > 0) this.schedule(more ? 0 : this.pollMs);
  }
}
