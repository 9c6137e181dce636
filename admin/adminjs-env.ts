import { existsSync } from 'node:fs'
import path from 'node:path'
import { projectPath } from '../core/project-root.js'

/** Where the prebuilt component bundle lives: `<repo>/.adminjs/bundle.js` (git-ignored, made by `npm run build:admin`). */
export const ADMIN_BUNDLE_DIR = projectPath('.adminjs')

/**
 * AdminJS reads its settings from `process.env` when its modules load, so they are set here, once, before the
 * lazy import. The bundle folder is made absolute so the console works from any working directory; with a
 * prebuilt bundle present, production start-up skips bundling (`ADMIN_JS_SKIP_BUNDLE`).
 */
export function prepareAdminJsEnv(env: NodeJS.ProcessEnv = process.env): { prebuilt: boolean } {
  env.ADMIN_JS_TMP_DIR ??= ADMIN_BUNDLE_DIR
  const prebuilt = existsSync(path.join(env.ADMIN_JS_TMP_DIR, 'bundle.js'))
  if (prebuilt && env.NODE_ENV === 'production') env.ADMIN_JS_SKIP_BUNDLE ??= 'true'
  return { prebuilt }
}

/** The AdminJS modules, imported on first use only (the import alone takes about a second). */
export async function loadAdminJs() {
  const { prebuilt } = prepareAdminJsEnv()
  const [adminjs, fastifyAdapter, objectionAdapter] = await Promise.all([
    import('adminjs'),
    import('@adminjs/fastify'),
    import('@adminjs/objection'),
  ])
  return { adminjs, fastifyAdapter, objectionAdapter, prebuilt }
}

export type AdminJsModules = Awaited<ReturnType<typeof loadAdminJs>>
