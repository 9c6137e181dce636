/**
 * `npm run build:admin`: bundles the console's custom components (the dashboard) into `.adminjs/bundle.js`
 * once, at build time, so production start-up does no bundling (it runs with ADMIN_JS_SKIP_BUNDLE=true).
 * The adminjs CLI of 7.8 is broken (missing lib/cli), so this calls `initialize()` the way start-up would.
 */
import path from 'node:path'
import { statSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import knexFactory from 'knex'
import { ADMIN_BUNDLE_DIR, loadAdminJs } from './adminjs-env.js'
import { buildAdmin } from './build-admin.js'
import type { FeedRunDeps } from './services/types.js'

export async function buildAdminBundle(
  options: { dir?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<{ file: string; bytes: number; ms: number }> {
  const env = options.env ?? process.env
  // AdminJS reads these when it loads: production minifies, and the output folder is where the server looks.
  env.NODE_ENV = 'production'
  env.ADMIN_JS_TMP_DIR = options.dir ?? ADMIN_BUNDLE_DIR
  env.ADMIN_JS_SKIP_BUNDLE = 'false'
  const started = performance.now()
  const modules = await loadAdminJs()
  // The resources need a knex to describe themselves; bundling never queries, so this one never connects.
  const knex = knexFactory({ client: 'pg' })
  const admin = buildAdmin(modules, { knex, feedRuns: {} as FeedRunDeps })
  await admin.initialize()
  await knex.destroy()
  const file = path.join(env.ADMIN_JS_TMP_DIR, 'bundle.js')
  return { file, bytes: statSync(file).size, ms: Math.round(performance.now() - started) }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  buildAdminBundle().then(
    ({ file, bytes, ms }) => console.log(`admin console components bundled: ${file} (${bytes} bytes, ${ms} ms)`),
    (err) => {
      console.error(err)
      process.exit(1)
    },
  )
}
