import { type Context, context, type Span, SpanKind, trace } from '@opentelemetry/api';
import type { CompiledQuery, DatabaseConnection, QueryResult } from 'kysely';
import { failSpan, tracer, tracingOn } from '../tracing.js';

/**
 * SQL spans: one per statement (named by its operation: SELECT, INSERT …) and one per transaction (BEGIN to
 * COMMIT or ROLLBACK, the parent of its statements). Only the statement's text is recorded, compiled with `$n`
 * placeholders, its literals blanked and cut short; never its parameters.
 *
 * A statement is traced only under a span (a request, a transaction, an outbox handler, a webhook attempt): the
 * workers' polling statements, run every second with nothing to do, would otherwise each be a trace of one span.
 *
 * The connection's own `executeQuery` is patched (once per connection object, as Kysely patches it for its query
 * log) rather than wrapped, because the drivers run BEGIN/COMMIT through that method on their own connection class:
 * a wrapper object would hide those statements from Kysely's log, and with it from the statement budgets.
 */

const traced = Symbol('backroom.tracedConnection');
const openTx = Symbol('backroom.transactionSpan');

type TracedConnection = DatabaseConnection & {
  [traced]?: true;
  [openTx]?: { span: Span; ctx: Context } | undefined;
};

const MAX_STATEMENT_CHARS = 300;

/** Called on every acquired connection: with tracing on, its statements are spanned from now on. */
export function traceConnection(conn: DatabaseConnection): DatabaseConnection {
  const c = conn as TracedConnection;
  if (!tracingOn() || c[traced]) return conn;
  const execute = c.executeQuery;
  c.executeQuery = function tracedExecuteQuery<R>(q: CompiledQuery): Promise<QueryResult<R>> {
    if (!tracingOn()) return execute.call(c, q) as Promise<QueryResult<R>>;
    return statementSpan(c, q, () => execute.call(c, q) as Promise<QueryResult<R>>);
  };
  c[traced] = true;
  return conn;
}

function statementSpan<R>(c: TracedConnection, q: CompiledQuery, run: () => Promise<R>): Promise<R> {
  const parent = c[openTx]?.ctx ?? context.active();
  if (!trace.getSpan(parent)) return run();
  const operation = operationOf(q.sql);
  const span = tracer.startSpan(
    operation,
    {
      kind: SpanKind.CLIENT,
      attributes: {
        'db.system': 'postgresql',
        'db.system.name': 'postgresql',
        'db.operation.name': operation,
        'db.query.text': statementText(q.sql),
      },
    },
    parent,
  );
  return run().then(
    (result) => {
      span.end();
      return result;
    },
    (err: unknown) => {
      failSpan(span, err); // the SQLSTATE; a message can quote a value ("invalid input syntax for type uuid: …")
      span.end();
      throw err;
    },
  );
}

/** BEGIN: opens the transaction's span under the caller's; its statements (BEGIN included) become its children. */
export async function traceBegin(conn: DatabaseConnection, begin: () => Promise<void>): Promise<void> {
  const c = conn as TracedConnection;
  const parent = context.active();
  if (!c[traced] || !tracingOn() || !trace.getSpan(parent)) return begin();
  const span = tracer.startSpan(
    'transaction',
    { kind: SpanKind.INTERNAL, attributes: { 'db.system': 'postgresql', 'db.system.name': 'postgresql' } },
    parent,
  );
  c[openTx] = { span, ctx: trace.setSpan(parent, span) };
  try {
    await begin();
  } catch (err) {
    c[openTx] = undefined;
    failSpan(span, err);
    span.end();
    throw err;
  }
}

/** COMMIT or ROLLBACK: ends the transaction's span (an error status only when that statement itself fails). */
export async function traceEnd(
  conn: DatabaseConnection,
  outcome: 'commit' | 'rollback',
  end: () => Promise<void>,
): Promise<void> {
  const c = conn as TracedConnection;
  const tx = c[openTx];
  if (!tx) return end();
  tx.span.setAttribute('db.transaction.outcome', outcome);
  try {
    await end();
  } catch (err) {
    failSpan(tx.span, err);
    throw err;
  } finally {
    c[openTx] = undefined;
    tx.span.end();
  }
}

/** The statement's first keyword: SELECT, INSERT, WITH, BEGIN … */
export function operationOf(text: string): string {
  const m = /^[\s(]*([A-Za-z]+)/.exec(text);
  return m?.[1] ? m[1].toUpperCase() : 'SQL';
}

/**
 * The statement for a span: string, dollar-quoted and numeric literals blanked (Kysely passes values as `$n`
 * parameters, but `sql.lit` and raw fragments could put one in the text), whitespace collapsed, cut to 300 characters.
 */
export function statementText(text: string): string {
  return text
    .slice(0, MAX_STATEMENT_CHARS * 4)
    .replace(/'(?:[^']|'')*(?:'|$)/g, "'?'")
    .replace(/\$([A-Za-z_]\w*)?\$[\s\S]*?(?:\$\1\$|$)/g, '$$$$?$$$$')
    .replace(/(?<![\w$.])\d+(?:\.\d+)?/g, '?')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, MAX_STATEMENT_CHARS);
}
