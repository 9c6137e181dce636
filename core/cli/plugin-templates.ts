import { readFileSync } from 'node:fs'
import { projectPath } from '../project-root.js'

/**
 * What `crisp plugins new` writes for each kind: a working plugin, its README and its contract test, from the
 * files in `core/cli/plugin-templates/` (`__ID__` and `__KIND__` replaced). They are read from the checkout, so
 * the compiled build needs no copy; test/plugins/scaffold.test.ts type-checks and runs what they generate.
 */
export const SCAFFOLD_KINDS = ['feed-source', 'exporter', 'anonymization-strategy'] as const
export type ScaffoldKind = (typeof SCAFFOLD_KINDS)[number]

const template = (...segments: string[]) =>
  readFileSync(projectPath('core', 'cli', 'plugin-templates', ...segments), 'utf8')

export function scaffoldFiles(kind: ScaffoldKind, id: string): Record<string, string> {
  const fill = (text: string) => text.replaceAll('__ID__', id).replaceAll('__KIND__', kind)
  return {
    'index.ts': fill(template(kind, 'index.ts.template')),
    [`${id}.test.ts`]: fill(template(kind, 'contract.test.ts.template')),
    'README.md': fill(template('README.md.template')),
  }
}
