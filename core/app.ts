import { randomUUID } from 'node:crypto'
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify'
import helmet from '@fastify/helmet'
import cors from '@fastify/cors'
import type { Knex } from 'knex'
import type { Config } from '../config/load.js'
import { databasePlugin } from './infra/database.js'
import { metricsPlugin, type createPlatformMetrics } from './infra/metrics.js'
import { notifyPlugin } from './infra/notify.js'
import { jobsPlugin } from './infra/jobs.js'
import { queueDeclarations } from './jobs/queues.js'
import type { Logger } from 'pino'
import { installErrorHandlers, sendApiError } from './infra/error-handler.js'
import { installRequestGuards } from './infra/request-guards.js'
import { installAllowedHosts } from './infra/allowed-hosts.js'
import { httpsRedirectPlugin } from './infra/tls.js'
import { openapiPlugin } from './infra/openapi.js'
import { registryPlugin } from './registry/plugin.js'
import type { PluginRegistry } from './registry/registry.js'
import { authenticationPlugin, requirePermission } from './auth/authenticate.js'
import { rateLimitPlugin } from './auth/rate-limit.js'
import type { IdentityCore } from './identity/identity-core.js'
import { identityPlugin } from './identity/plugin.js'
import { authCacheSyncPlugin } from './identity/auth-cache-sync.js'
import { healthRoutes } from './routes/health.js'
import { metricsRoutes } from './routes/metrics.js'
import { frontDoorRoutes } from './routes/front-door.js'
import { apiV1Routes } from './routes/api/v1/index.js'
import { taxiiRoutes } from './routes/taxii2/index.js'
import { taxiiErrorHandler } from './routes/taxii2/errors.js'
import { registerTaxiiIngestWorker } from './taxii/ingest-job.js'
import { CRISP_VERSION } from './version.js'
import { feedsPlugin } from './feeds/feeds-plugin.js'
import { feedSecretBox } from './infra/secret-box.js'
import { exportsPlugin } from './exports/exports-plugin.js'
import { eventsPlugin } from './events/events-plugin.js'
import { maintenancePlugin } from './jobs/maintenance.js'
import { maintenanceTasks } from './maintenance-tasks.js'
import { anonymizedOutputPlugin } from './sharing/anonymized-output-plugin.js'
import { storeObjects } from './store/index.js'

export interface BuildAppOptions {
  config: Config
  knex: Knex
  /** Connection string pg-boss uses (same database as knex). */
  databaseUrl: string
  registry: PluginRegistry
  /** The identity core whose `services` the registry handed to auth strategies (see `createIdentityCore`). */
  identity: IdentityCore
  /** The platform's metrics (`createPlatformMetrics`), which the identity core already counts into. */
  metrics: ReturnType<typeof createPlatformMetrics>
  /** Run job workers in this process (`crisp start`: yes; API-only nodes: no). */
  runWorkers?: boolean
  /** The process logger (see `createLogger`); tests point it at a capture stream. */
  logger: Logger
  /** Mount the AdminJS console at CRISP_ADMIN_PATH, /admin by default (`crisp start`: yes; tests only when they need it, it is slow to load). */
  admin?: boolean
}

/** Fastify's trustProxy: a hop count becomes "the nearest N addresses are proxies" (its types take no number). */
function trustProxyOption(
  trust: Config['network']['trustProxy'],
): boolean | string[] | ((address: string, hop: number) => boolean) {
  return typeof trust === 'number' ? (_address, hop) => hop < trust : trust
}

/** The Fastify application: infrastructure plugins, then routes. Nothing listens until the caller says so. */
export async function buildApp(opts: BuildAppOptions): Promise<FastifyInstance> {
  const { config } = opts
  // Typed as Fastify's logger, so the instance and its plugins share one logger type (not pino's own).
  const logger: FastifyBaseLogger = opts.logger
  const app = Fastify({
    loggerInstance: logger,
    // X-Forwarded-For/-Proto/-Host count only from these proxies: req.ip, req.protocol and req.host follow (config/network.ts).
    trustProxy: trustProxyOption(config.network.trustProxy),
    https: config.network.tls ?? null,
    bodyLimit: config.bodyLimit,
    // Not Fastify's 10 s per plugin: loading AdminJS alone took 12 s on a busy two-core host, and the node exited.
    pluginTimeout: 120_000,
    genReqId: (req) => {
      const given = req.headers['x-request-id']
      return typeof given === 'string' && /^[\w-]{8,64}$/.test(given) ? given : randomUUID()
    },
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true } },
    // Room for any STIX id in a path (a type has at most 250 characters, then "--" and a UUID).
    routerOptions: { maxParamLength: 300 },
    // Errors raised before routing (a malformed or over-long URL) answer in the format of the API addressed.
    frameworkErrors: (err, req, reply) =>
      (req.url.startsWith('/taxii2/') ? taxiiErrorHandler : sendApiError)(err, req, reply),
  })

  installErrorHandlers(app)
  installAllowedHosts(app, config.network.allowedHosts)
  app.addHook('onSend', async (req, reply) => {
    reply.header('x-request-id', req.id)
  })
  await app.register(helmet, {
    contentSecurityPolicy: {
      directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"], baseUri: ["'none'"], formAction: ["'self'"] },
    },
    crossOriginResourcePolicy: { policy: 'same-origin' },
  })
  if (config.corsOrigins.length) await app.register(cors, { origin: config.corsOrigins, credentials: false })
  installRequestGuards(app)
  if (config.network.tls && config.network.httpRedirectPort !== undefined) {
    await app.register(httpsRedirectPlugin, {
      port: config.network.httpRedirectPort,
      host: config.host,
      publicUrl: config.publicUrl,
    })
  }
  await app.register(databasePlugin, { knex: opts.knex })
  await app.register(notifyPlugin, { connectionString: opts.databaseUrl })
  await app.register(metricsPlugin, { metrics: opts.metrics })
  await app.register(jobsPlugin, {
    connectionString: opts.databaseUrl,
    runWorkers: opts.runWorkers ?? true,
    queues: queueDeclarations(config),
    // Timed-out jobs (a worker that died mid-run) are found at this interval: no later than a run's timeout.
    maintenanceIntervalSeconds: Math.min(120, config.feeds.runTimeout),
  })
  await app.register(registryPlugin, { registry: opts.registry })
  await app.register(identityPlugin, { identity: opts.identity, ...config.auth })
  await app.register(authCacheSyncPlugin)
  await app.register(authenticationPlugin)
  await app.register(openapiPlugin, {
    publicUrl: config.publicUrl,
    version: CRISP_VERSION,
    docs: config.apiDocs,
    requireSignedIn: requirePermission('self:read'),
  })
  await app.register(feedsPlugin, { feeds: config.feeds, storeObjects, secrets: feedSecretBox(config) })
  await app.register(exportsPlugin, { dataDir: config.dataDir, downloadSecret: config.secrets.downloadLink })
  await app.register(maintenancePlugin, { tasks: maintenanceTasks(app, config) })
  await app.register(eventsPlugin, { egress: config.egress })
  await app.register(anonymizedOutputPlugin)
  await app.register(rateLimitPlugin, config.rateLimit)

  await app.register(healthRoutes)
  await app.register(metricsRoutes, { scrapeToken: config.metricsToken })
  await app.register(frontDoorRoutes, {
    publicUrl: config.publicUrl,
    apiDocs: config.apiDocs,
    admin: opts.admin ?? false,
    adminPath: config.network.adminPath,
  })
  await app.register(apiV1Routes, { prefix: '/api/v1' })
  await app.register(taxiiRoutes, {
    prefix: '/taxii2',
    publicUrl: config.publicUrl,
    maxContentLength: config.bodyLimit,
  })
  await registerTaxiiIngestWorker(app)
  if (opts.admin) {
    // Imported lazily: AdminJS takes about a second to load. Encapsulated: it brings its own session and CSP.
    const { adminConsolePlugin } = await import('../admin/plugin.js')
    await app.register(adminConsolePlugin, { config })
  }
  return app
}
