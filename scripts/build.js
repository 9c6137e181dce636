#!/usr/bin/env node
/**
 * `npm run build`: transpiles the TypeScript sources to plain JavaScript under dist/, one .js per .ts with the
 * same layout (core/x.ts → dist/core/x.js), so production runs `node dist/core/cli/main.js` without tsx.
 * esbuild strips the types only: no bundling, import paths stay as written (the sources import `./x.js`).
 * Tests (*.test.ts, test/) are not compiled. Files that are not TypeScript (schemas, password list, console
 * components, package.json) are not copied: the compiled code reads them from the checkout (core/project-root.ts),
 * which is why the output folder must be inside the checkout.
 *
 * Only outputs whose content changed are rewritten (through a rename, so a running process never reads half a
 * file), and outputs whose source is gone are removed.
 *
 * Usage: node scripts/build.js [--outdir DIR]   (or CRISP_BUILD_OUTDIR=DIR; default dist)
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
export const SOURCE_DIRS = ['core', 'plugins', 'admin', 'config', 'migrations', 'bench']

const isSource = (name) => name.endsWith('.ts') && !name.endsWith('.d.ts') && !name.endsWith('.test.ts')
const isOutput = (name) => name.endsWith('.js') || name.endsWith('.js.map')

function walk(dir, keep, skipDirs = new Set()) {
  if (!existsSync(dir)) return []
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name)
    if (entry.isDirectory()) return skipDirs.has(entry.name) ? [] : walk(file, keep, skipDirs)
    return keep(entry.name) ? [file] : []
  })
}

export async function buildProject({ outDir = 'dist', quiet = false } = {}) {
  const started = performance.now()
  const out = path.resolve(ROOT, outDir)
  if (out === ROOT || !out.startsWith(ROOT + path.sep)) {
    throw new Error(
      `build: the output folder must be inside the checkout (${ROOT}), not ${out}: the compiled code reads its schemas, password list and console components from there`,
    )
  }
  const entryPoints = SOURCE_DIRS.flatMap((dir) =>
    walk(path.join(ROOT, dir), isSource, new Set(['node_modules', 'test'])),
  )
  const result = await build({
    entryPoints,
    outdir: out,
    outbase: ROOT,
    bundle: false,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    tsconfig: path.join(ROOT, 'tsconfig.json'),
    write: false,
    logLevel: 'warning',
  })

  let written = 0
  const produced = new Set()
  for (const file of result.outputFiles) {
    produced.add(file.path)
    if (existsSync(file.path) && Buffer.compare(readFileSync(file.path), file.contents) === 0) continue
    mkdirSync(path.dirname(file.path), { recursive: true })
    const tmp = `${file.path}.${process.pid}.tmp`
    writeFileSync(tmp, file.contents)
    renameSync(tmp, file.path)
    written++
  }
  let removed = 0
  for (const file of SOURCE_DIRS.flatMap((dir) => walk(path.join(out, dir), isOutput))) {
    if (produced.has(file)) continue
    rmSync(file)
    removed++
  }
  const seconds = (performance.now() - started) / 1000
  if (!quiet) {
    console.error(
      `build: ${produced.size} files → ${path.relative(ROOT, out)}/ in ${seconds.toFixed(2)} s (${written} written, ${removed} removed)`,
    )
  }
  return { outDir: out, files: produced.size, written, removed, seconds }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2)
  const at = args.indexOf('--outdir')
  const outDir = at >= 0 ? args[at + 1] : process.env.CRISP_BUILD_OUTDIR || 'dist'
  buildProject({ outDir, quiet: args.includes('--quiet') }).catch((err) => {
    // esbuild has already printed its own diagnostics; this line says the build as a whole failed.
    console.error(err.errors ? `build failed: ${err.errors.length} error(s)` : err.message)
    process.exit(1)
  })
}
