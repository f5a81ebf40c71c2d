import { chmodSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketHandler, type PGLiteSocketHandlerOptions } from '@electric-sql/pglite-socket';
import type { SessionLock } from './session-lock.js';

/**
 * The process that owns an embedded data dir serves its database on a Unix socket inside it, named
 * the way PostgreSQL names its sockets, so `psql -h <data dir>` and the CLI's postgres.js reach it.
 * File permissions guard it (mode 0600): only local users who may read the data dir get in.
 */
export const SOCKET_PORT = 5432;
const SOCKET_NAME = `.s.PGSQL.${SOCKET_PORT}`;
/** Next to the pid file: which process serves the socket, and where. */
const INFO_FILE = 'backroom.socket';
/** Linux keeps at most 107 bytes of a socket path (sun_path). */
const MAX_SOCKET_PATH = 107;

export interface LocalSocket {
  /** The folder to give as a host: `psql -h <dir>`, postgres.js `host`. */
  dir: string;
  close(): Promise<void>;
}

/**
 * A socket client's turn runs until PostgreSQL says it is idle again (ReadyForQuery 'I'): a whole
 * transaction, or a Parse…Sync sequence, is one turn. The library's own queue takes turns by
 * single protocol messages among socket clients only, so this process's statements could land
 * inside a client's transaction and the other way round (a client's committed insert was undone
 * by the server's ROLLBACK in a trial) — hence this queue over the process's `SessionLock`.
 */
class SocketTurns {
  #owner: number | undefined;
  #release: (() => void) | undefined;
  /** Each connection's messages run in order: a connection never waits behind its own turn. */
  readonly #chains = new Map<number, Promise<unknown>>();
  readonly #gone = new Set<number>();
  #idleTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly pg: PGlite,
    private readonly lock: SessionLock,
    /** A client that keeps its turn (an open transaction) this long without a word is cut off. */
    private readonly idleInTurnMs: number,
    private readonly cutOff: (handlerId: number) => void,
  ) {}

  enqueue(handlerId: number, message: Uint8Array, onData: (data: Uint8Array) => void): Promise<number> {
    const run = (this.#chains.get(handlerId) ?? Promise.resolve())
      .catch(() => {})
      .then(() => this.#run(handlerId, message, onData));
    this.#chains.set(handlerId, run);
    return run;
  }

  async #run(handlerId: number, message: Uint8Array, onData: (data: Uint8Array) => void): Promise<number> {
    if (this.#gone.has(handlerId)) throw new Error('Handler disconnected');
    if (this.#owner !== handlerId) {
      const release = await this.lock.acquire();
      if (this.#gone.has(handlerId)) {
        release();
        throw new Error('Handler disconnected');
      }
      this.#owner = handlerId;
      this.#release = release;
    }
    clearTimeout(this.#idleTimer);
    let size = 0;
    let tail: Uint8Array = new Uint8Array(0);
    await this.pg.runExclusive(() =>
      this.pg.execProtocolRawStream(message, {
        onRawData: (data) => {
          size += data.length;
          tail = lastBytes(tail, data, 6);
          onData(data);
        },
      }),
    );
    // ReadyForQuery is 'Z', length 5, then the status: 'I' idle, 'T' in a transaction, 'E' failed.
    const idle = tail.length === 6 && tail[0] === 0x5a && tail[5] === 0x49;
    if (idle) this.#endTurn();
    else this.#idleTimer = setTimeout(() => this.cutOff(handlerId), this.idleInTurnMs).unref();
    return size;
  }

  #endTurn() {
    clearTimeout(this.#idleTimer);
    const release = this.#release;
    this.#owner = undefined;
    this.#release = undefined;
    release?.();
  }

  /** The connection closed: its queued messages are dropped. */
  clearQueueForHandler(handlerId: number): void {
    this.#gone.add(handlerId);
  }

  /** The connection closed: an unfinished turn is rolled back and handed on. */
  async clearTransactionIfNeeded(handlerId: number): Promise<void> {
    await this.#chains.get(handlerId)?.catch(() => {});
    this.#chains.delete(handlerId);
    this.#gone.delete(handlerId);
    if (this.#owner !== handlerId) return;
    try {
      // A Sync first: after an error mid Parse…Sync the session ignores everything until one.
      await this.pg.runExclusive(() => this.pg.execProtocolRaw(SYNC));
      if (this.pg.isInTransaction()) await this.pg.exec('rollback');
    } finally {
      this.#endTurn();
    }
  }
}

const SYNC = new Uint8Array([0x53, 0, 0, 0, 4]);

function lastBytes(previous: Uint8Array, data: Uint8Array, n: number): Uint8Array {
  if (data.length >= n) return data.slice(data.length - n);
  const joined = new Uint8Array(previous.length + data.length);
  joined.set(previous);
  joined.set(data, previous.length);
  return joined.slice(Math.max(0, joined.length - n));
}

/**
 * Serves `pg` on `<dataDir>/.s.PGSQL.5432` and records it in `backroom.socket`. The caller holds
 * the data-dir lock, so a socket file already there is a crashed process's and is replaced.
 * Returns the reason instead when it cannot listen (e.g. a path too long for a Unix socket).
 */
export async function serveLocalSocket(
  pg: PGlite,
  lock: SessionLock,
  dataDir: string,
  idleInTurnMs: number,
): Promise<LocalSocket | { unavailable: string }> {
  const path = join(dataDir, SOCKET_NAME);
  if (Buffer.byteLength(path) > MAX_SOCKET_PATH) {
    return { unavailable: `${path} is longer than a Unix socket path may be (${MAX_SOCKET_PATH} bytes)` };
  }
  rmSync(path, { force: true });
  const handlers = new Map<number, { handler: PGLiteSocketHandler; socket: Socket }>();
  // Closed at once, so the client sees a dropped connection rather than a silent one; closing
  // detaches the handler, which rolls the turn back.
  const turns = new SocketTurns(pg, lock, idleInTurnMs, (id) => handlers.get(id)?.socket.destroy());
  const server: Server = createServer((socket) => {
    const handler = new PGLiteSocketHandler({
      // The handler calls only enqueue / clearQueueForHandler / clearTransactionIfNeeded.
      queryQueue: turns as unknown as PGLiteSocketHandlerOptions['queryQueue'],
      closeOnDetach: true,
    });
    handlers.set(handler.handlerId, { handler, socket });
    const forget = () => handlers.delete(handler.handlerId);
    handler.addEventListener('close', forget);
    handler.addEventListener('error', forget);
    handler.attach(socket).catch(() => socket.destroy());
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(path, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    // The shop runs without it; the CLI then asks to stop the server, as before.
    return { unavailable: `cannot listen on ${path}: ${(err as Error).message}` };
  }
  chmodSync(path, 0o600);
  const info = join(dataDir, INFO_FILE);
  writeFileSync(info, JSON.stringify({ pid: process.pid, socket: path }), { mode: 0o600 });
  return {
    dir: dataDir,
    async close() {
      rmSync(info, { force: true });
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.all([...handlers.values()].map(({ handler }) => handler.detach(true)));
      handlers.clear();
      await closed;
    },
  };
}

/**
 * The socket folder of the process `owner` that holds `dataDir`, if it serves one. Only the live
 * lock owner's record counts: one left by a crashed process (another pid) is ignored.
 */
export function runningSocketDir(dataDir: string, owner: number): string | undefined {
  try {
    const info = JSON.parse(readFileSync(join(dataDir, INFO_FILE), 'utf8')) as { pid?: unknown; socket?: unknown };
    if (info.pid !== owner || info.socket !== join(dataDir, SOCKET_NAME) || !existsSync(info.socket)) return undefined;
    return dataDir;
  } catch {
    return undefined;
  }
}
