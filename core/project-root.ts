import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * The folder holding the package.json named "crisp", found by walking up from `from`. Under tsx this module is
 * `<root>/core/project-root.ts`; in the compiled build it is `<root>/dist/core/project-root.js`. Either way the
 * files that are not compiled (password list, STIX schemas, console components, the admin bundle, package.json)
 * are read from the checkout, so the build copies none of them.
 */
function findProjectRoot(from: string): string {
  for (let dir = path.resolve(from); ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json')
    if (existsSync(manifest) && readName(manifest) === 'crisp') return dir
    if (path.dirname(dir) === dir)
      throw new Error(`cannot find the CRISP checkout (a package.json named "crisp") in ${from} or above it`)
  }
}

function readName(manifest: string): unknown {
  try {
    return JSON.parse(readFileSync(manifest, 'utf8')).name
  } catch {
    return undefined
  }
}

/** The checkout's root folder. */
const PROJECT_ROOT = findProjectRoot(path.dirname(fileURLToPath(import.meta.url)))

/** A path inside the checkout, e.g. `projectPath('core', 'stix', 'schemas')`. */
export const projectPath = (...segments: string[]): string => path.join(PROJECT_ROOT, ...segments)
