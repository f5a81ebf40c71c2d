/**
 * Module boundaries from DESIGN.md, enforced in CI (`npm run boundaries`).
 * - Modules import each other only through `index.ts`.
 * - `platform` is technical code: it imports no module (nor the app wiring).
 * - The module graph is acyclic and declared: checkout → catalog, inventory, orders, payments,
 *   identity; orders → inventory, payments, catalog, identity; imports → catalog, inventory,
 *   identity; catalog, inventory, payments and identity are leaves (platform only); no module imports
 *   `imports`; webhooks → identity, and no module imports webhooks (events reach it through the outbox).
 * - Modules and the platform never import `src/config.ts`: settings arrive as deps.
 * - Route files (`*.routes.ts`, `routes.ts`) never import withTransaction: handlers call commands.
 * Table ownership (no module's SQL names another module's table) is checked by `npm run check:tables`.
 */
const leaves = '(catalog|inventory|payments|identity)';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Cycles make the module graph impossible to reason about; break them with an outbox event.',
      from: {},
      to: { circular: true, dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'platform-imports-no-module',
      severity: 'error',
      comment: 'platform/ is technical code shared by all modules; it must not know any of them.',
      // Tests of the platform may use the real migration list to build databases.
      from: { path: '^src/platform/', pathNot: '/__tests__/' },
      to: {
        path: [
          '^src/modules/',
          '^src/app\\.ts$',
          '^src/runtime\\.ts$',
          '^src/main\\.ts$',
          '^src/workers/',
          '^src/migrations/',
          '^src/seed\\.ts$',
        ],
      },
    },
    {
      name: 'modules-only-via-index',
      severity: 'error',
      comment: "Another module's folder is private except for its index.ts (its public API).",
      from: { path: '^src/modules/([^/]+)/' },
      to: { path: '^src/modules/[^/]+/', pathNot: ['^src/modules/$1/', '^src/modules/[^/]+/index\\.ts$'] },
    },
    {
      name: 'leaf-modules-import-no-module',
      severity: 'error',
      comment: 'catalog, inventory, payments and identity depend on platform only (DESIGN.md).',
      from: { path: `^src/modules/${leaves}/`, pathNot: '/__tests__/' },
      to: { path: '^src/modules/', pathNot: '^src/modules/$1/' },
    },
    {
      name: 'orders-not-upstream',
      severity: 'error',
      comment: 'orders may use inventory, payments, catalog, identity — never checkout (upstream).',
      from: { path: '^src/modules/orders/', pathNot: '/__tests__/' },
      to: { path: '^src/modules/checkout/' },
    },
    {
      name: 'imports-only-catalog-inventory-identity',
      severity: 'error',
      comment: 'imports (CSV in and out) uses catalog, inventory and identity only (ARCHITECTURE.md).',
      from: { path: '^src/modules/imports/', pathNot: '/__tests__/' },
      to: { path: '^src/modules/', pathNot: '^src/modules/(imports|catalog|inventory|identity)/' },
    },
    {
      name: 'webhooks-only-identity',
      severity: 'error',
      comment:
        'webhooks (outbound delivery) knows no business module: the app hands it the event catalogue; it uses ' +
        'identity only (who to email when an endpoint is disabled).',
      from: { path: '^src/modules/webhooks/', pathNot: '/__tests__/' },
      to: { path: '^src/modules/', pathNot: '^src/modules/(webhooks|identity)/' },
    },
    {
      name: 'no-module-depends-on-webhooks',
      severity: 'error',
      comment: 'Modules reach webhooks through outbox events, never by import; only the app, workers and CLI use it.',
      from: { path: '^src/modules/', pathNot: ['^src/modules/webhooks/', '/__tests__/'] },
      to: { path: '^src/modules/webhooks/' },
    },
    {
      name: 'no-module-depends-on-imports',
      severity: 'error',
      comment: 'imports is the top of the module graph: the app, workers and CLI use it, no module does.',
      from: { path: '^src/modules/', pathNot: ['^src/modules/imports/', '/__tests__/'] },
      to: { path: '^src/modules/imports/' },
    },
    {
      name: 'privacy-only-identity-checkout-orders-payments',
      severity: 'error',
      comment:
        'privacy (customer export/erase) runs the export/erase functions of identity, checkout, orders and payments ' +
        'in one transaction; it owns no table.',
      from: { path: '^src/modules/privacy/', pathNot: '/__tests__/' },
      to: { path: '^src/modules/', pathNot: '^src/modules/(privacy|identity|checkout|orders|payments)/' },
    },
    {
      name: 'no-module-depends-on-privacy',
      severity: 'error',
      comment: 'privacy is the top of the module graph: only the app uses it.',
      from: { path: '^src/modules/', pathNot: ['^src/modules/privacy/', '/__tests__/'] },
      to: { path: '^src/modules/privacy/' },
    },
    {
      name: 'dashboard-only-orders-inventory-catalog-identity',
      severity: 'error',
      comment:
        'dashboard (the admin home page) reads numbers through orders, inventory, catalog (titles) and identity ' +
        "(permissions, customer emails); checkout reaches it only as a dep (the regions' currencies).",
      from: { path: '^src/modules/dashboard/', pathNot: '/__tests__/' },
      to: { path: '^src/modules/', pathNot: '^src/modules/(dashboard|orders|inventory|catalog|identity)/' },
    },
    {
      name: 'no-module-depends-on-dashboard',
      severity: 'error',
      comment: 'dashboard is the top of the module graph: only the app uses it.',
      from: { path: '^src/modules/', pathNot: ['^src/modules/dashboard/', '/__tests__/'] },
      to: { path: '^src/modules/dashboard/' },
    },
    {
      name: 'modules-and-platform-not-to-config',
      severity: 'error',
      comment:
        'Config (the environment) is read in app.ts, runtime.ts and wiring.ts and passed in as plain deps; a module ' +
        'or the platform importing it (even its type) would couple it to every setting and hide what it needs.',
      from: { path: '^src/(modules|platform)/', pathNot: '/__tests__/' },
      to: { path: '^src/config\\.ts$' },
    },
    {
      name: 'routes-open-no-transactions',
      severity: 'error',
      comment:
        'HTTP handlers never open transactions (ARCHITECTURE.md): a route calls a command (a service function) ' +
        'that opens one with withTransaction.',
      from: { path: '^src/.*(\\.|/)routes\\.ts$' },
      to: { path: '^src/platform/db/transaction\\.ts$' },
    },
    {
      name: 'src-not-to-tests',
      severity: 'error',
      comment: 'Production code never imports test helpers.',
      from: { path: '^src/', pathNot: '/__tests__/' },
      to: { path: ['^test/', '/__tests__/'] },
    },
    {
      name: 'src-not-to-dev-deps',
      severity: 'error',
      comment: 'Production code must run with production dependencies only.',
      from: { path: '^src/', pathNot: '/__tests__/' },
      to: { dependencyTypes: ['npm-dev'], dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.mjs', '.cjs', '.d.ts'],
    },
    exclude: { path: ['^dist/', '^node_modules/'] },
  },
};
