import type { AddressInfo } from 'node:net';
import { connect, createServer, type Socket } from 'node:net';

export interface StatementCounter {
  /** postgres:// URL of the same database, through the counting proxy. */
  url: string;
  /** SQL statements executed through the proxy so far (extended-protocol Executes + simple Queries). */
  count(): number;
  /** With `trace`: the SQL text of every statement counted, in order (cleared by the caller as it likes). */
  trace: string[];
  close(): Promise<void>;
}

/**
 * A TCP proxy in front of PostgreSQL that counts the statements its clients run, by reading the frontend
 * messages of the wire protocol (no TLS: the bench's servers connect in plain text). A diagnostic: it answers
 * "how many SQL statements does this request cost", which pg_stat_database cannot.
 */
export async function statementCounter(databaseUrl: string, opts: { trace?: boolean } = {}): Promise<StatementCounter> {
  const target = new URL(databaseUrl);
  let count = 0;
  const trace: string[] = [];
  const cstrings = (b: Buffer, from: number, n: number) => {
    const out: string[] = [];
    let at = from;
    for (let i = 0; i < n; i++) {
      const zero = b.indexOf(0, at);
      out.push(b.toString('utf8', at, zero));
      at = zero + 1;
    }
    return out;
  };
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(Number(target.port || 5432), target.hostname);
    sockets.add(client);
    sockets.add(upstream);
    let buf: Buffer = Buffer.alloc(0);
    let typed = false;
    const prepared = new Map<string, string>();
    let bound = '';
    client.on('data', (chunk: Buffer) => {
      upstream.write(chunk);
      buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
      for (;;) {
        if (!typed) {
          // Startup, SSLRequest, GSSENCRequest and CancelRequest carry no type byte.
          if (buf.length < 8) break;
          const len = buf.readInt32BE(0);
          if (buf.length < len) break;
          if (buf.readInt32BE(4) === 196_608) typed = true;
          buf = buf.subarray(len);
          continue;
        }
        if (buf.length < 5) break;
        const len = buf.readInt32BE(1);
        if (buf.length < 1 + len) break;
        const type = buf[0];
        if (type === 0x45 /* E */ || type === 0x51 /* Q */) count++;
        if (opts.trace) {
          const body = buf.subarray(5, 1 + len);
          if (type === 0x50 /* Parse: name, query */) {
            const [name = '', query = ''] = cstrings(body, 0, 2);
            prepared.set(name, query);
          } else if (type === 0x42 /* Bind: portal, statement */) {
            bound = prepared.get(cstrings(body, 0, 2)[1] ?? '') ?? '?';
          } else if (type === 0x45) trace.push(bound);
          else if (type === 0x51) trace.push(cstrings(body, 0, 1)[0] ?? '');
        }
        buf = buf.subarray(1 + len);
      }
    });
    upstream.on('data', (chunk: Buffer) => client.write(chunk));
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('close', end);
    upstream.on('close', end);
    client.on('error', end);
    upstream.on('error', end);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const u = new URL(databaseUrl);
  u.hostname = '127.0.0.1';
  u.port = String((server.address() as AddressInfo).port);
  return {
    url: u.toString(),
    count: () => count,
    trace,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}
