import type { FastifyInstance } from 'fastify'
import type { Config } from '../config/load.js'
import { loadAdminJs } from './adminjs-env.js'
import { buildAdmin } from './build-admin.js'
import { sessionCookieOptions } from './session-cookie.js'
import { createConsoleSessionStore } from './session-store.js'
import { ADMIN_CSP } from './csp.js'
import { authenticateConsoleAdmin } from './auth/login.js'
import { rememberClientIps } from './auth/client-ip.js'
import { consoleAdminAsPrincipal } from './auth/console-principal.js'
import { cacheAdminAssets } from './asset-cache.js'
import { confineConsoleRoutes } from './confine-routes.js'
import { protectFromCsrf } from './csrf/guard.js'
import { consolePaths } from './paths.js'

/**
 * The admin console at CRISP_ADMIN_PATH (/admin by default). Register it encapsulated (not with fastify-plugin): AdminJS adds cookie,
 * session, form and multipart handling to the instance it gets, and this scope swaps the API's strict CSP for
 * the console's. Nothing here touches the API routes.
 */
export async function adminConsolePlugin(scope: FastifyInstance, opts: { config: Config }): Promise<void> {
  const { config } = opts
  const modules = await loadAdminJs()
  if (config.env === 'production' && !modules.prebuilt) {
    scope.log.warn(
      'admin console: no prebuilt component bundle (run `npm run build:admin`); bundling at start-up instead',
    )
  }
  const paths = consolePaths(config.network.adminPath)
  const admin = buildAdmin(modules, {
    knex: scope.knex,
    feedRuns: { registry: scope.registry, queue: scope.feedRuns, secrets: scope.feedSecrets },
    storedOutput: scope.anonymizedOutput,
    jobs: scope.jobs,
    log: scope.log,
    paths,
  })
  // The identity core's limiter: console and API logins share one failure budget per IP and account.
  const limiter = scope.identity.limiter
  const cookie = sessionCookieOptions(config)
  if (cookie.secure && !config.network.tls && config.network.trustProxy === false) {
    scope.log.warn(
      'admin console: PUBLIC_URL is https but CRISP serves plain HTTP and trusts no proxy (CRISP_TRUST_PROXY): its Secure session cookie will not be set and logins will not hold',
    )
  }

  confineConsoleRoutes(scope, paths.root)
  rememberClientIps(scope)
  cacheAdminAssets(scope, { maxAgeSeconds: 300, assetsPath: paths.assets })
  scope.addHook('onSend', async (_req, reply) => {
    reply.header('content-security-policy', ADMIN_CSP)
    // Not the API's `no-referrer`: under it browsers send `Origin: null` with the console's own form posts,
    // and the CSRF guard could not tell them from a forged one.
    reply.header('referrer-policy', 'same-origin')
  })
  await modules.fastifyAdapter.default.buildAuthenticatedRouter(
    admin,
    {
      cookieName: 'crisp_admin',
      cookiePassword: config.secrets.adminSession,
      authenticate: (email: string, password: string, context) =>
        authenticateConsoleAdmin({ knex: scope.knex, limiter, email, password, ip: context?.request.ip ?? 'unknown' }),
    },
    scope,
    {
      secret: config.secrets.adminSession,
      cookieName: 'crisp_admin',
      saveUninitialized: false,
      cookie,
      // In PostgreSQL, not in this process: every API node knows every console session (admin/session-store.ts).
      store: createConsoleSessionStore({
        knex: scope.knex,
        defaultTtlMs: cookie.maxAge,
        onError: (err) => scope.log.warn({ err }, 'expired console sessions not purged'),
      }),
    },
  )
  // Both read the session, so they come after the session plugin's hook registered just above.
  consoleAdminAsPrincipal(scope)
  protectFromCsrf(scope, {
    secret: config.secrets.adminSession,
    publicUrl: config.publicUrl,
    secure: cookie.secure,
    paths,
  })
}
