import { Command, Option } from 'commander';
import { type Config, ConfigError, loadConfig } from './config.js';
import type { OutboxStatus } from './platform/outbox/outbox.tables.js';
import type { Runtime } from './runtime.js';
import { version } from './version.js';

// Commands import the application (Fastify, PGlite, every module) only when they run, so `--help`
// and a configuration error answer at once instead of after loading all of it.

/** Parses the environment once; a bad value prints one line naming the variable and exits 2. */
function config(overrides: Partial<Record<string, string>> = {}): Config {
  try {
    return loadConfig({ ...process.env, ...overrides });
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`backroom: invalid configuration: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
}

/**
 * Runs a short command against the database, then closes it. While `serve` runs on the embedded
 * database, the command goes through that process's local socket.
 */
async function withRuntime(fn: (rt: Runtime) => Promise<void>, migrate = false) {
  const cfg = config({ LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' });
  const { createRuntime } = await import('./runtime.js');
  const rt = await createRuntime(cfg, { migrate, attach: true });
  try {
    await fn(rt);
  } finally {
    await rt.close();
  }
}

const program = new Command()
  .name('backroom')
  .description('Backroom: headless commerce backend')
  .version(version)
  .showHelpAfterError();

program
  .command('serve', { isDefault: true })
  .description('Run the HTTP API (migrates first; runs workers in-process unless BACKROOM_WORKERS=off)')
  .addOption(new Option('--no-workers', 'do not run background workers in this process'))
  .option('-p, --port <port>', 'port (overrides PORT)')
  .action(async (opts: { workers: boolean; port?: string }) => {
    const overrides: Record<string, string> = {};
    if (!opts.workers) overrides.BACKROOM_WORKERS = 'off';
    if (opts.port !== undefined) overrides.PORT = opts.port;
    const cfg = config(overrides);
    const { serve } = await import('./runtime.js');
    await serve(cfg);
  });

program
  .command('worker')
  .description('Run background workers only (outbox relay, maintenance); needs DATABASE_URL')
  .action(async () => {
    const cfg = config();
    const { worker } = await import('./runtime.js');
    await worker(cfg);
  });

program
  .command('migrate')
  .description('Apply pending database migrations')
  .option('--status', 'list migrations and whether each is applied, without applying any')
  .action(async (opts: { status?: boolean }) => {
    const { migrations } = await import('./migrations/index.js');
    const { migrateToLatest, migrationStatus } = await import('./platform/db/migrate.js');
    await withRuntime(async (rt) => {
      if (opts.status) {
        const list = await migrationStatus(rt.dbHandle.db, migrations);
        for (const m of list) {
          process.stdout.write(
            `${m.executedAt ? 'applied ' : 'pending '} ${m.name}${m.executedAt ? `  (${m.executedAt.toISOString()})` : ''}\n`,
          );
        }
        const pending = list.filter((m) => !m.executedAt).length;
        process.stdout.write(`${list.length - pending} applied, ${pending} pending\n`);
        return;
      }
      const applied = await rt.dbHandle.withSession((db) => migrateToLatest(db, migrations));
      process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'database is up to date\n');
    });
  });

program
  .command('seed')
  .description('Load demo data (idempotent; migrates first)')
  .option('--products <n>', 'also generate N products × 3 variants with stock (benchmarks)')
  .action(async (opts: { products?: string }) => {
    const count = opts.products === undefined ? 0 : Number(opts.products);
    if (!Number.isInteger(count) || count < 0 || count > 1_000_000)
      fail('--products must be a whole number up to 1000000');
    const { seed, seedProducts } = await import('./seed.js');
    await withRuntime(async (rt) => {
      const done = await seed(rt.dbHandle.db);
      process.stdout.write(done.length ? `seeded: ${done.join(', ')}\n` : 'nothing to seed yet\n');
      if (count > 0) process.stdout.write(`generated ${await seedProducts(rt.dbHandle.db, count)} products\n`);
    }, true);
  });

program
  .command('import')
  .description('Import a product CSV (see README "Import and export"); prints the report, exit 1 if rejected')
  .argument('<file>', 'the CSV file')
  .option('--partial', 'import the products whose rows are valid, skip the others')
  .action(async (file: string, opts: { partial?: boolean }) => {
    const { readFile } = await import('node:fs/promises');
    const text = await readFile(file, 'utf8').catch((err: Error) => fail(`cannot read ${file}: ${err.message}`));
    const { importProductsCsv } = await import('./modules/imports/index.js');
    const { wireModules } = await import('./wiring.js');
    const { systemActor } = await import('./platform/audit/audit.js');
    const { createProgress } = await import('./platform/progress.js');
    let failed = false;
    await withRuntime(async (rt) => {
      let progress: ReturnType<typeof createProgress> | undefined;
      let shown = 0;
      const report = await importProductsCsv(wireModules(rt.dbHandle.db), text, {
        partial: opts.partial ?? false,
        ctx: systemActor,
        referenceId: `cli:${file.slice(-80)}`,
        onProgress: (done, total) => {
          progress ??= createProgress('rows', total);
          progress.tick(done - shown);
          shown = done;
        },
      });
      progress?.done();
      for (const e of report.errors.slice(0, 200)) process.stderr.write(`row ${e.row} ${e.column}: ${e.message}\n`);
      if (report.errors.length > 200) process.stderr.write(`… and ${report.errors.length - 200} more problems\n`);
      process.stdout.write(
        `${report.status}: ${report.totalRows} rows, ${report.productsCreated} products created, ${report.productsUpdated} updated, ` +
          `${report.skippedProducts} skipped, ${report.stockLevelsChanged} stock levels set\n`,
      );
      failed = report.status !== 'done';
    }, true);
    // Set after the runtime closed: closing the embedded database resets the exit code.
    if (failed) process.exitCode = 1;
  });

program
  .command('export')
  .description('Export every product as CSV (the import format)')
  .argument('<file>', 'where to write the CSV ("-" for stdout)')
  .action(async (file: string) => {
    const { createWriteStream } = await import('node:fs');
    const { Readable } = await import('node:stream');
    const { pipeline } = await import('node:stream/promises');
    const { exportProductsCsv } = await import('./modules/imports/index.js');
    const { wireModules } = await import('./wiring.js');
    await withRuntime(async (rt) => {
      const out = file === '-' ? process.stdout : createWriteStream(file);
      await pipeline(Readable.from(exportProductsCsv(wireModules(rt.dbHandle.db))), out);
    }, true);
  });

const outbox = program.command('outbox').description('Inspect and retry outbox events');
outbox
  .command('list')
  .description('List recent events, newest first')
  .addOption(new Option('--status <status>', 'only this status').choices(['pending', 'delivered', 'dead']))
  .option('--limit <n>', 'how many', '50')
  .action(async (opts: { status?: OutboxStatus; limit: string }) => {
    const { listOutboxEvents } = await import('./platform/outbox/admin.js');
    await withRuntime(async (rt) => {
      const rows = await listOutboxEvents(rt.dbHandle.db, {
        limit: Math.min(1000, Math.max(1, Number(opts.limit) || 50)),
        ...(opts.status ? { status: opts.status } : {}),
      });
      for (const r of rows) {
        process.stdout.write(
          `${r.id}  ${r.status.padEnd(9)} ${r.type}  attempts=${r.attempts}${r.lastError ? `  error=${JSON.stringify(r.lastError)}` : ''}\n`,
        );
      }
      process.stdout.write(`${rows.length} event(s)\n`);
    });
  });
outbox
  .command('retry <eventId>')
  .description('Put a dead event back in the queue with a fresh attempt budget')
  .action(async (eventId: string) => {
    const { retryDeadEvent } = await import('./platform/outbox/admin.js');
    let ok = false;
    await withRuntime(async (rt) => {
      ok = await retryDeadEvent(rt.dbHandle.db, eventId);
      process.stdout.write(ok ? `requeued ${eventId}\n` : `${eventId} is not a dead event\n`);
    });
    // Set after the runtime closed: closing the embedded database resets the exit code.
    if (!ok) process.exitCode = 1;
  });

/** Ends the command with one clear line on stderr and exit code 1. */
function fail(message: string): never {
  process.stderr.write(`backroom: ${message}\n`);
  process.exit(1);
}

const roleNames = 'owner, admin, catalog-manager, fulfilment, support, read-only';

const admin = program.command('admin').description('Manage staff accounts');
admin
  .command('create')
  .description('Create an active staff member and print their id')
  .requiredOption('--email <email>', 'sign-in email')
  .requiredOption('--password <password>', 'password (8–128 characters, not a common one)')
  .option('--name <name>', 'display name')
  .requiredOption('--role <role>', `built-in role: ${roleNames}`)
  .action(async (opts: { email: string; password: string; name?: string; role: string }) => {
    const { createStaff, findRoleIdByName } = await import('./modules/identity/index.js');
    await withRuntime(async (rt) => {
      const db = rt.dbHandle.db;
      const roleId = await findRoleIdByName(db, opts.role);
      // Thrown, not exited: the runtime closes the database first, then one line goes to stderr.
      if (!roleId) throw new Error(`unknown role "${opts.role}" (one of: ${roleNames})`);
      const { id } = await createStaff(db, { email: opts.email, password: opts.password, name: opts.name, roleId });
      process.stdout.write(`${id}\n`);
    }, true);
  });

const keys = program.command('keys').description('Manage API keys');
keys
  .command('create')
  .description('Create an API key and print it (shown only this once)')
  .requiredOption('--name <name>', 'what the key is for, e.g. ci')
  .option('--permissions <list>', 'secret keys: comma-separated permissions, or "all"')
  .option('--publishable', 'a publishable key (pk_…) for a storefront instead of a secret key')
  .option('--channel <id>', "publishable keys: pin a sales channel (default: follow the shop's default channel)")
  .action(async (opts: { name: string; permissions?: string; publishable?: boolean; channel?: string }) => {
    const { createApiKey, systemActor } = await import('./modules/identity/index.js');
    const permissions = (opts.permissions ?? '')
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean);
    if (opts.publishable && permissions.length > 0) fail('publishable keys carry no --permissions');
    if (!opts.publishable && opts.channel) fail('--channel is for publishable keys (add --publishable)');
    if (!opts.publishable && permissions.length === 0) fail('--permissions needs at least one permission, or "all"');
    await withRuntime(async (rt) => {
      const key = await createApiKey(
        rt.dbHandle.db,
        { ctx: systemActor, createdBy: null },
        opts.publishable
          ? { name: opts.name, kind: 'publishable', salesChannelId: opts.channel }
          : { name: opts.name, kind: 'secret', permissions },
      );
      process.stdout.write(`${key.key}\n`);
      process.stderr.write(
        opts.publishable
          ? `created ${key.id} for ${key.salesChannelId ? `sales channel ${key.salesChannelId}` : 'the default sales channel'}; send it as x-publishable-key\n`
          : `created ${key.id} (${key.permissions.join(', ')}); store the key now: it is not shown again\n`,
      );
    }, true);
  });

const inventory = program.command('inventory').description('Stock ledger tools');
inventory
  .command('verify')
  .description('Recompute every stock level from the ledger; print differences and exit 1 if any')
  .action(async () => {
    const { verifyLedger } = await import('./modules/inventory/index.js');
    let mismatches = 0;
    await withRuntime(async (rt) => {
      const diffs = await verifyLedger(rt.dbHandle.db);
      mismatches = diffs.length;
      const fmt = (c: { onHand: number; reserved: number; held: number } | null) =>
        c ? `on_hand=${c.onHand} reserved=${c.reserved} held=${c.held}` : 'no level row';
      for (const d of diffs) {
        process.stdout.write(
          `MISMATCH ${d.itemId} @ ${d.locationId}: level ${fmt(d.level)}, ledger ${fmt(d.ledger)}\n`,
        );
      }
      process.stdout.write(
        diffs.length ? `${diffs.length} level(s) differ from the ledger\n` : 'all levels match the ledger\n',
      );
    });
    // Set once the database is closed: the embedded database resets the exit code when it shuts down.
    if (mismatches > 0) process.exitCode = 1;
  });

const payments = program.command('payments').description('Payment gateway tools');
payments
  .command('reconcile')
  .description("Compare our payment ledger with each gateway's view of recent payments; exit 1 on any difference")
  .option('--since <duration>', 'how far back: 90m, 24h, 7d', '24h')
  .option('--provider <id...>', 'only these gateways (default: every gateway that can be asked)')
  .action(async (opts: { since: string; provider?: string[] }) => {
    const { compareWithGateways, parseDuration, refreshGateways } = await import('./modules/payments/index.js');
    const { gatewayEnvOf, wireModules } = await import('./wiring.js');
    const seconds = parseDuration(opts.since);
    if (seconds === null) {
      process.stderr.write(`backroom: --since: expected a duration like 90m, 24h or 7d, got ${opts.since}\n`);
      process.exit(2);
    }
    let differences = 0;
    await withRuntime(async (rt) => {
      const { secretBoxFor } = await import('./runtime.js');
      const modules = wireModules(rt.dbHandle.db, {
        payments: { providerTimeoutMs: rt.config.PAYMENT_PROVIDER_TIMEOUT_MS },
      });
      await refreshGateways({
        db: rt.dbHandle.db,
        providers: modules.payments.providers,
        secretBox: secretBoxFor(rt),
        env: gatewayEnvOf(rt.config),
      });
      const report = await compareWithGateways(modules.payments, {
        since: new Date(Date.now() - seconds * 1000),
        providers: opts.provider,
      });
      differences = report.differences.length;
      for (const d of report.differences) {
        process.stdout.write(
          `MISMATCH ${d.provider} ${d.paymentId ?? '-'} ${d.providerReference} ${d.field}: ours=${d.ours ?? '-'} gateway=${d.theirs ?? '-'}\n`,
        );
      }
      const gateways = report.providers.length ? report.providers.join(', ') : 'no gateway configured';
      process.stdout.write(
        `${report.checked} payment(s) compared (${gateways}), ${report.skippedInFlight} skipped with a call in flight, ${differences} difference(s)\n`,
      );
    }, true);
    if (differences > 0) process.exitCode = 1;
  });

program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`backroom: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
