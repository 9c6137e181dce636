/**
 * Runs dependency-cruiser with the repository's rules (.dependency-cruiser.cjs) over a folder: the checked-out
 * repository in the architecture test, a throw-away folder with deliberately bad imports in the checker's own test.
 */
import { createRequire } from 'node:module'
import path from 'node:path'
import { cruise, type ICruiseResult } from 'dependency-cruiser'
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options'
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config'
import { ROOT } from '../paths.js'

export const CONFIG_FILE = path.join(ROOT, '.dependency-cruiser.cjs')

/** The layer table the config builds its rules from (a non-enumerable property of the config's export). */
export interface Layout {
  LAYERS: { name: string; what: string; paths: string[] }[]
  OUTSIDE_LAYERS: string[]
  KNOWN_EXCEPTIONS: { layer: string; from: string; to: string[]; why: string }[]
  KNOWN_CYCLES: string[]
  TESTS: string[]
}

export function readLayout(): Layout {
  const config = createRequire(import.meta.url)(CONFIG_FILE) as { layout: Layout }
  return config.layout
}

/** One broken rule, as `rule: from → to`. */
export interface Violation {
  rule: string
  from: string
  to: string
  cycle?: string[]
}

export interface CheckResult {
  violations: Violation[]
  result: ICruiseResult
}

/** Cruises every source file under `baseDir` (what the config's `exclude` leaves) against the repository's rules. */
export async function checkDependencies(baseDir: string): Promise<CheckResult> {
  const options = await extractDepcruiseOptions(CONFIG_FILE)
  const tsConfigFile = path.join(baseDir, 'tsconfig.json')
  const { output } = await cruise(
    ['.'],
    { ...options, baseDir, tsConfig: { fileName: tsConfigFile }, outputType: 'json' },
    {},
    { tsConfig: extractTSConfig(tsConfigFile) },
  )
  const result: ICruiseResult = typeof output === 'string' ? JSON.parse(output) : output
  const violations = (result.summary.violations ?? []).map((v) => ({
    rule: v.rule.name,
    from: v.from,
    to: v.to,
    ...(v.cycle ? { cycle: v.cycle.map((c) => c.name) } : {}),
  }))
  return { violations, result }
}

export function describeViolation(v: Violation): string {
  return v.cycle ? `${v.rule}: ${v.from} → ${v.cycle.join(' → ')}` : `${v.rule}: ${v.from} → ${v.to}`
}
