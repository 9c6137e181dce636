/**
 * The layering of docs/architecture.md, checked on every `npm test`: the repository breaks none of the import
 * rules of .dependency-cruiser.cjs, every source file sits in a layer, no recorded exception outlives its reason,
 * and the checker does catch a bad import (a throw-away tree with one of each).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import t from 'tap'
import { ROOT } from '../paths.js'
import { checkDependencies, describeViolation, readLayout } from './check-dependencies.js'

const matchesAny = (patterns: string[], file: string): boolean => patterns.some((p) => new RegExp(p).test(file))

t.test('the repository keeps the import rules', async (t) => {
  const { violations, result } = await checkDependencies(ROOT)
  const lines = violations.map(describeViolation)
  // On failure tap prints the diff: one `rule: from → to` per bad import.
  t.same(lines, [], 'no import breaks a rule of .dependency-cruiser.cjs (docs/architecture.md says why each exists)')

  const layout = readLayout()
  const placed = [...layout.LAYERS.flatMap((l) => l.paths), ...layout.OUTSIDE_LAYERS]
  const ownFiles = result.modules.filter(
    (m) => !m.coreModule && !m.couldNotResolve && !m.source.startsWith('node_modules/'),
  )
  t.ok(ownFiles.length > 300, `cruised the source tree (${ownFiles.length} files)`)
  const unplaced = ownFiles.map((m) => m.source).filter((file) => !matchesAny(placed, file))
  t.same(
    unplaced,
    [],
    'every source file is in a layer (else add its folder to LAYERS in .dependency-cruiser.cjs and to docs/architecture.md)',
  )

  // An exception that no longer matches an import is a rule switched off for nothing: remove it.
  const imports = ownFiles.flatMap((m) => m.dependencies.map((d) => ({ from: m.source, to: d.resolved })))
  for (const exception of layout.KNOWN_EXCEPTIONS) {
    for (const to of exception.to) {
      const used = imports.some((i) => new RegExp(exception.from).test(i.from) && new RegExp(to).test(i.to))
      t.ok(
        used,
        `known exception ${exception.from} → ${to} is still needed (else remove it from .dependency-cruiser.cjs)`,
      )
    }
  }
  for (const cycle of layout.KNOWN_CYCLES) {
    const stillCircular = ownFiles.some(
      (m) => new RegExp(cycle).test(m.source) && m.dependencies.some((d) => d.circular),
    )
    t.ok(
      stillCircular,
      `known cycle ${cycle} still exists (else remove it from KNOWN_CYCLES in .dependency-cruiser.cjs)`,
    )
  }
})

/** A miniature of the repository with one bad import per rule and a few good ones that must pass. */
const FIXTURE: Record<string, string> = {
  'core/stix/ids.ts': `import { route } from '../routes/api.js'\nexport const id = route\n`,
  'core/stix/types.ts': `export interface StixObject { id: string }\n`,
  'core/project-root.ts': `export const ROOT = '/'\n`,
  'core/stix/schema-registry.ts': `import { ROOT } from '../project-root.js'\nexport const schemas = ROOT\n`,
  'core/plugin-api/index.ts': `export type { StixObject } from '../stix/types.js'\nexport const define = (x: unknown) => x\n`,
  'core/plugin-api/store-access.ts': `import { store } from '../store/index.js'\nexport const s = store\n`,
  'core/plugin-api/validate.ts': `import { schemas } from '../stix/schema-registry.js'\nexport const v = schemas\n`,
  'core/store/index.ts': `import { a } from '../sharing/a.js'\nexport const store = a\n`,
  'core/sharing/a.ts': `import { b } from './b.js'\nexport const a = () => b()\n`,
  'core/sharing/b.ts': `import { a } from './a.js'\nexport const b = (): unknown => a\n`,
  'core/sharing/c.ts': `import type { D } from './d.js'\nexport interface C { d?: D }\n`,
  'core/sharing/d.ts': `import type { C } from './c.js'\nexport interface D { c?: C }\n`,
  'core/sharing/egress.ts': `import { route } from '../routes/api.js'\nexport const e = route\n`,
  'core/routes/api.ts': `export const route = 1\n`,
  'core/app.ts': `import { route } from './routes/api.js'\nimport { console } from '../admin/console.js'\nexport const app = [route, console]\n`,
  'admin/console.ts': `import { route } from '../core/routes/api.js'\nexport const console = route\n`,
  'plugins/feed-bad/index.ts': `import { store } from '../../core/store/index.js'\nexport default store\n`,
  'plugins/feed-copycat/index.ts': `import bad from '../feed-bad/index.js'\nexport default bad\n`,
  'plugins/feed-good/index.ts': `import { define, type StixObject } from '../../core/plugin-api/index.js'\nimport { helper } from './helper.js'\nexport default define(helper as StixObject | undefined)\n`,
  'plugins/feed-good/helper.ts': `export const helper = undefined\n`,
  'plugins/feed-good/index.test.ts': `import { store } from '../../core/store/index.js'\nexport const t = store\n`,
  'test/anything.ts': `import { store } from '../core/store/index.js'\nimport bad from '../plugins/feed-bad/index.js'\nexport const t = [store, bad]\n`,
  'core/feeds/schedule-tick.ts': `export const tick = 1\n`,
  'core/feeds/run-feed.ts': `export const run = 1\n`,
  'core/feeds/uses-plugin.ts': `import good from '../../plugins/feed-good/index.js'\nexport const g = good\n`,
  'core/feeds/uses-test.ts': `import { t } from '../../test/anything.js'\nexport const u = t\n`,
  'core/jobs/maintenance.ts': `import { tick } from '../feeds/schedule-tick.js'\nimport { run } from '../feeds/run-feed.js'\nexport const m = [tick, run]\n`,
  'core/routes/console-link.ts': `import { console } from '../../admin/console.js'\nexport const link = console\n`,
  'core/server.ts': `import good from '../plugins/feed-good/index.js'\nimport { app } from './app.js'\nexport const server = [good, app]\n`,
}

t.test('the checker reports each kind of bad import and nothing else', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'crisp-depcruise-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  writeFileSync(
    path.join(dir, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', strict: true } }),
  )
  for (const [file, source] of Object.entries(FIXTURE)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true })
    writeFileSync(path.join(dir, file), source)
  }

  const { violations } = await checkDependencies(dir)
  const found = violations.map(describeViolation).sort()
  t.same(
    found,
    [
      'admin-no-routes: admin/console.ts → core/routes/api.ts',
      'layer-platform: core/jobs/maintenance.ts → core/feeds/run-feed.ts',
      'layer-platform: core/jobs/maintenance.ts → core/feeds/schedule-tick.ts',
      'no-test-code-in-production: core/feeds/uses-test.ts → test/anything.ts',
      'only-composition-imports-plugins: core/feeds/uses-plugin.ts → plugins/feed-good/index.ts',
      'routes-no-admin: core/routes/console-link.ts → admin/console.ts',
      'layer-domain: core/store/index.ts → core/sharing/a.ts',
      'layer-egress: core/sharing/egress.ts → core/routes/api.ts',
      'layer-plugin-api: core/plugin-api/store-access.ts → core/store/index.ts',
      'layer-stix: core/stix/ids.ts → core/routes/api.ts',
      'no-circular: core/sharing/a.ts → core/sharing/b.ts → core/sharing/a.ts',
      'plugin-api-no-schema-files: core/plugin-api/validate.ts → core/project-root.ts',
      'plugin-api-no-schema-files: core/plugin-api/validate.ts → core/stix/schema-registry.ts',
      'plugin-api-only-stix: core/plugin-api/store-access.ts → core/store/index.ts',
      'plugins-not-other-plugins: plugins/feed-copycat/index.ts → plugins/feed-bad/index.ts',
      'plugins-only-plugin-api: plugins/feed-bad/index.ts → core/store/index.ts',
      'stix-pure: core/stix/ids.ts → core/routes/api.ts',
      'stix-sharing-no-routes: core/sharing/egress.ts → core/routes/api.ts',
      'stix-sharing-no-routes: core/stix/ids.ts → core/routes/api.ts',
    ].sort(),
    'one report per bad import of the fixture, none for its good ones',
  )
})
