// @ts-check
/**
 * The import rules of CRISP, checked by dependency-cruiser in every `npm test`
 * (test/architecture/dependency-rules.test.ts) and by `npm run lint:deps`.
 * docs/architecture.md explains the layers; this file is what enforces them: change both together.
 *
 * Paths are relative to the repository root. Type-only imports count like any other import
 * (tsPreCompilationDeps), so a plugin may not even borrow a type from a core internal.
 */

/** Test code and harnesses: they may import anything, and no rule below applies to them. */
const TESTS = ['^test/', '^bench/', '\\.test\\.ts$', '\\.bench\\.ts$']

/**
 * The layers of the platform, bottom first. A module may import its own layer and the layers below it,
 * never a layer above. Every folder of core/ (and every top-level source folder) must appear here or in
 * OUTSIDE_LAYERS: the architecture test fails on a folder nobody placed.
 */
const LAYERS = [
  {
    name: 'stix',
    what: 'pure STIX: types, ids, timestamps, TLP, pattern grammar, OASIS schema validation; the checkout-root and version leaves',
    paths: ['^core/stix/', '^core/project-root\\.ts$', '^core/version\\.ts$'],
  },
  {
    name: 'plugin-api',
    what: 'the plugin contract: define*(), types, STIX helpers, plugin services',
    paths: ['^core/plugin-api/'],
  },
  {
    name: 'platform',
    what: 'configuration, migrations, the data model (table rows, column vocabularies), database/logging/errors/paging plugins, queue declarations, plugin registry',
    paths: ['^config/', '^migrations/', '^core/model/', '^core/infra/', '^core/jobs/', '^core/registry/'],
  },
  {
    name: 'domain',
    what: 'accounts, authentication, permissions, audit, trust, collections and who may see them, and the one way in for STIX objects',
    paths: ['^core/audit/', '^core/auth/', '^core/identity/', '^core/trust/', '^core/collections/', '^core/store/'],
  },
  { name: 'egress', what: 'the one way out: sharing policy, anonymization, pages', paths: ['^core/sharing/'] },
  {
    name: 'features',
    what: 'feeds, exports, TAXII ingest and statuses, indicator publishing, security events and alerts, demo data',
    paths: [
      '^core/feeds/',
      '^core/exports/',
      '^core/taxii/',
      '^core/indicators/',
      '^core/events/',
      '^core/alerts/',
      '^core/demo/',
    ],
  },
  { name: 'adapters', what: 'HTTP routes and the admin console', paths: ['^core/routes/', '^admin/'] },
  {
    name: 'composition',
    what: 'the composition roots: app, server, CLI, launchers, build script, the list of maintenance tasks',
    paths: [
      '^core/app\\.ts$',
      '^core/maintenance-tasks\\.ts$',
      '^core/platform\\.ts$',
      '^core/server\\.ts$',
      '^core/cli/',
      '^bin/',
      '^scripts/',
    ],
  },
]

/** Top-level folders that are not a layer: plugins have their own rule, tests and benchmarks are free. */
const OUTSIDE_LAYERS = ['^plugins/', '^test/', '^bench/']

/**
 * Imports that break the layering today, each with why it exists and what would remove it. An exception names
 * one importing file and the exact files it may import against the rules; anything else from that file is still
 * checked.
 */
const KNOWN_EXCEPTIONS = []

/**
 * Runtime import cycles that exist today. The anonymizer's text scrubber and the per-value anonymizers call each
 * other (a file name or hash may hide an address that is scrubbed again); the modules only define functions, so
 * the cycle has no load-order hazard. Removed by handing the scrubber to the value anonymizers in AnonymizeEnv.
 */
const KNOWN_CYCLES = ['^plugins/anonymize-trust-levels/(text|names|hash|identity|refs)\\.ts$']

const exceptionFiles = KNOWN_EXCEPTIONS.map((e) => e.from)

/** @returns {import('dependency-cruiser').IForbiddenRuleType[]} */
function layerRules() {
  /** @type {import('dependency-cruiser').IForbiddenRuleType[]} */
  const rules = []
  LAYERS.forEach((layer, index) => {
    const above = LAYERS.slice(index + 1).flatMap((l) => l.paths)
    if (above.length === 0) return
    const names = LAYERS.slice(index + 1)
      .map((l) => l.name)
      .join(', ')
    rules.push({
      name: `layer-${layer.name}`,
      comment: `the ${layer.name} layer (${layer.what}) may not import a layer above it (${names})`,
      severity: 'error',
      from: { path: layer.paths, pathNot: [...TESTS, ...exceptionFiles] },
      to: { path: above },
    })
  })
  for (const exception of KNOWN_EXCEPTIONS) {
    const index = LAYERS.findIndex((l) => l.name === exception.layer)
    if (index < 0) throw new Error(`.dependency-cruiser.cjs: known exception ${exception.from} names no layer`)
    rules.push({
      name: `layer-${exception.layer}`,
      comment: `known exception (${exception.why}): only the listed imports are allowed`,
      severity: 'error',
      from: { path: exception.from },
      to: { path: LAYERS.slice(index + 1).flatMap((l) => l.paths), pathNot: exception.to },
    })
  }
  return rules
}

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'plugins-only-plugin-api',
      comment:
        'a plugin imports only core/plugin-api (plus node builtins, npm packages and its own files): all it needs comes in ctx',
      severity: 'error',
      from: { path: '^plugins/', pathNot: TESTS },
      to: { path: '^(core|admin|config|migrations|scripts|bin|bench|test)/', pathNot: '^core/plugin-api/' },
    },
    {
      name: 'plugins-not-other-plugins',
      comment: 'a plugin never imports another plugin (plugins/index.ts, the list of built-ins, is the one exception)',
      severity: 'error',
      from: { path: '^plugins/([^/]+)/', pathNot: TESTS },
      to: { path: '^plugins/', pathNot: '^plugins/$1/' },
    },
    {
      name: 'only-composition-imports-plugins',
      comment: 'the core knows plugins through the registry; only the composition roots name the built-ins',
      severity: 'error',
      from: {
        path: '^(core|admin|config|migrations)/',
        pathNot: [...TESTS, '^core/platform\\.ts$', '^core/server\\.ts$', '^core/cli/'],
      },
      to: { path: '^plugins/' },
    },
    {
      name: 'plugin-api-only-stix',
      comment: 'core/plugin-api depends on nothing internal but the pure STIX module core/stix',
      severity: 'error',
      from: { path: '^core/plugin-api/', pathNot: TESTS },
      to: {
        path: '^(core|plugins|admin|config|migrations|scripts|bin|bench|test)/',
        pathNot: '^core/(plugin-api|stix)/',
      },
    },
    {
      name: 'plugin-api-no-schema-files',
      comment:
        'what core/plugin-api reaches of core/stix must stay pure: not the schema registry, which reads the OASIS schema files',
      severity: 'error',
      from: { path: '^core/plugin-api/', pathNot: TESTS },
      to: { path: '^core/(stix/schema-registry|stix/validator|project-root)\\.ts$', reachable: true },
    },
    {
      name: 'stix-pure',
      comment: 'core/stix imports nothing internal but itself (and core/project-root.ts, to find its schema files)',
      severity: 'error',
      from: { path: '^core/stix/', pathNot: TESTS },
      to: {
        path: '^(core|plugins|admin|config|migrations|scripts|bin|bench|test)/',
        pathNot: ['^core/stix/', '^core/project-root\\.ts$'],
      },
    },
    {
      name: 'stix-sharing-no-routes',
      comment: 'core/stix and core/sharing know no routes: HTTP is a serializer at the end of the egress path',
      severity: 'error',
      from: { path: '^core/(stix|sharing)/', pathNot: TESTS },
      to: { path: '^core/routes/' },
    },
    {
      name: 'admin-no-routes',
      comment: 'the admin console calls services, never route files',
      severity: 'error',
      from: { path: '^admin/', pathNot: TESTS },
      to: { path: '^core/routes/' },
    },
    {
      name: 'routes-no-admin',
      comment: 'the HTTP routes and the admin console are siblings: neither imports the other',
      severity: 'error',
      from: { path: '^core/routes/', pathNot: TESTS },
      to: { path: '^admin/' },
    },
    {
      name: 'no-test-code-in-production',
      comment: 'platform code never imports test helpers or test files',
      severity: 'error',
      from: { pathNot: TESTS },
      to: { path: TESTS },
    },
    ...layerRules(),
    {
      name: 'no-circular',
      comment:
        'no import cycles in platform or plugin code. Cycles through type-only imports are erased at compile time ' +
        'and allowed; tests are free.',
      severity: 'error',
      from: { pathNot: [...TESTS, ...KNOWN_CYCLES] },
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
  ],
  options: {
    // One source of truth for what is cruised: the package.json script and the test both cruise '.'.
    // Tool configuration at the root (eslint.config.js) is no part of the platform.
    exclude: {
      path: ['^(node_modules|dist|data|docs|local-plugins)/', '^\\.', '^test/screenshots/', '^eslint\\.config\\.js$'],
    },
    doNotFollow: { path: ['node_modules'] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      extensions: ['.ts', '.js', '.mjs', '.cjs', '.json', '.d.ts'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
    },
    skipAnalysisNotInRules: true,
  },
}

// Not a dependency-cruiser setting (non-enumerable, so its schema never sees it): the layer table, read by
// test/architecture/dependency-rules.test.ts to check that every folder is placed in a layer.

Object.defineProperty(module.exports, 'layout', {
  enumerable: false,
  value: { LAYERS, OUTSIDE_LAYERS, KNOWN_EXCEPTIONS, KNOWN_CYCLES, TESTS },
})
