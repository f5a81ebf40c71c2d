import { errorFromResponse, isAbort } from './errors.js';

/** One Server-Sent Event: its `event:` type (default `message`), its `data:` lines joined, and its `id:`. */
export interface StreamEvent {
  event: string;
  data: string;
  id: string | undefined;
}

export interface StreamOptions {
  /** Ends the stream (no reconnect); `stream()` then resolves. */
  signal: AbortSignal;
  onEvent: (event: StreamEvent) => void;
  /** Resume after this event (sent as `Last-Event-ID`); later reconnects send the last id received. */
  lastEventId?: string | undefined;
  /** Called each time a connection is open (after a reconnect too: refetch what the stream does not replay). */
  onOpen?: () => void;
  /** Called for each failure that will be retried (connection lost, 5xx). */
  onRetry?: (error: unknown, delayMs: number) => void;
  /** First wait before reconnecting (the server's `retry:` replaces it); doubled per failure. Default 1 s. */
  baseDelayMs?: number;
  /** Longest wait between reconnects. Default 30 s. */
  maxDelayMs?: number;
}

/** Splits a text/event-stream into events (the WHATWG parsing rules: comments, `retry:`, CR/LF/CRLF lines). */
export class EventStreamParser {
  private buffer = '';
  private data: string[] = [];
  private event = '';
  lastEventId: string | undefined;
  retryMs: number | undefined;

  constructor(
    private readonly emit: (event: StreamEvent) => void,
    lastEventId?: string,
  ) {
    this.lastEventId = lastEventId;
  }

  push(chunk: string): void {
    this.buffer += chunk;
    for (;;) {
      const m = /\r\n|\n|\r/.exec(this.buffer);
      // A lone CR at the very end may be the first half of CRLF: wait for the next chunk.
      if (!m || (m[0] === '\r' && m.index === this.buffer.length - 1)) return;
      const line = this.buffer.slice(0, m.index);
      this.buffer = this.buffer.slice(m.index + m[0].length);
      this.line(line);
    }
  }

  private line(line: string): void {
    if (line === '') {
      if (this.data.length > 0) {
        this.emit({ event: this.event || 'message', data: this.data.join('\n'), id: this.lastEventId });
      }
      this.data = [];
      this.event = '';
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') this.data.push(value);
    else if (field === 'event') this.event = value;
    else if (field === 'id' && !value.includes('\0')) this.lastEventId = value || undefined;
    else if (field === 'retry' && /^\d+$/.test(value)) this.retryMs = Number(value);
  }
}

function wait(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

/**
 * Reads a `text/event-stream` answer through the client's own fetch (so with its credentials: EventSource cannot
 * send an Authorization header, and a token must never go in a URL), and reconnects until `signal` aborts: after a
 * lost connection, an end of stream or a 5xx, it waits (the server's `retry:`, doubled per failure, with jitter)
 * and resumes with `Last-Event-ID`. Resolves when aborted; rejects with a `BackroomError` on a 4xx (401 expired
 * session, 403 missing permission…), which a reconnect would not fix.
 */
export async function readEventStream(
  send: (request: Request) => Promise<Response>,
  url: string,
  options: StreamOptions,
): Promise<void> {
  const { signal } = options;
  const maxDelay = options.maxDelayMs ?? 30_000;
  const parser = new EventStreamParser(options.onEvent, options.lastEventId);
  let failures = 0;
  while (!signal.aborted) {
    let error: unknown;
    try {
      const headers = new Headers({ accept: 'text/event-stream', 'cache-control': 'no-store' });
      if (parser.lastEventId) headers.set('last-event-id', parser.lastEventId);
      const response = await send(new Request(url, { method: 'GET', headers, signal }));
      if (!response.ok) {
        const body = await response.text().catch(() => '');
        let parsed: unknown = body;
        try {
          parsed = JSON.parse(body);
        } catch {
          // not JSON: keep the text
        }
        const failure = errorFromResponse(response, parsed);
        if (response.status < 500 && response.status !== 429) throw failure;
        error = failure;
      } else if (!response.body) {
        error = new Error('the answer has no body');
      } else {
        options.onOpen?.();
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        try {
          for (;;) {
            const { value, done } = await reader.read();
            if (done) break;
            if (value) {
              parser.push(value);
              failures = 0;
            }
          }
        } finally {
          reader.releaseLock();
        }
        error = new Error('the stream ended');
      }
    } catch (e) {
      if (signal.aborted || isAbort(e)) return;
      if (e instanceof Error && e.name === 'BackroomError') throw e;
      error = e;
    }
    if (signal.aborted) return;
    const base = parser.retryMs ?? options.baseDelayMs ?? 1000;
    const ceiling = Math.min(maxDelay, base * 2 ** failures);
    const delay = ceiling / 2 + Math.random() * (ceiling / 2);
    failures++;
    options.onRetry?.(error, delay);
    await wait(delay, signal);
  }
}
