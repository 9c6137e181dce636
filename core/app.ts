import { randomUUID } from 'node:crypto'
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify'
import helmet from '@fastify/helmet'
import cors from '@fastify/cors'
import type { Knex } from 'knex'
import type { Config } from '../config/load.js'
import { databasePlugin } from './infra/database.js'
import { jobsPlugin } from './infra/jobs.js'
import type { Logger } from 'pino'
import { installErrorHandlers, sendApiError } from './infra/error-handler.js'
import { installRequestGuards } from './infra/request-guards.js'
import { openapiPlugin } from './infra/openapi.js'
import { registryPlugin } from './registry/plugin.js'
import type { PluginRegistry } from './registry/registry.js'
import { authenticationPlugin } from './auth/authenticate.js'
import { rateLimitPlugin } from './auth/rate-limit.js'
import type { IdentityCore } from './identity/identity-core.js'
import { identityPlugin } from './identity/plugin.js'
import { healthRoutes } from './routes/health.js'
import { frontDoorRoutes } from './routes/front-door.js'
import { apiV1Routes } from './routes/api/v1/index.js'
import { taxiiRoutes } from './routes/taxii2/index.js'
import { taxiiErrorHandler } from './routes/taxii2/errors.js'
import { registerTaxiiIngestWorker } from './taxii/ingest-job.js'
import { CRISP_VERSION } from './version.js'
import { feedsPlugin } from './feeds/feeds-plugin.js'
import { exportsPlugin } from './exports/exports-plugin.js'
import { eventsPlugin } from './events/events-plugin.js'
import { maintenancePlugin } from './jobs/maintenance.js'
import { anonymizedWriter } from './sharing/anonymized-store.js'
import { storeObjects } from './store/index.js'

export interface BuildAppOptions {
  config: Config
  knex: Knex
  /** Connection string pg-boss uses (same database as knex). */
  databaseUrl: string
  registry: PluginRegistry
  /** The identity core whose `services` the registry handed to auth strategies (see `createIdentityCore`). */
  identity: IdentityCore
  /** Run job workers in this process (`crisp start`: yes; API-only nodes: no). */
  runWorkers?: boolean
  /** The process logger (see `createLogger`); tests point it at a capture stream. */
  logger: Logger
  /** Mount the AdminJS console at /admin (`crisp start`: yes; tests only when they need it, it is slow to load). */
  admin?: boolean
}

/** The Fastify application: infrastructure plugins, then routes. Nothing listens until the caller says so. */
export async function buildApp(opts: BuildAppOptions): Promise<FastifyInstance> {
  const { config } = opts
  const app = Fastify({
    loggerInstance: opts.logger as FastifyBaseLogger,
    bodyLimit: config.bodyLimit,
    genReqId: (req) => {
      const given = req.headers['x-request-id']
      return typeof given === 'string' && /^[\w-]{8,64}$/.test(given) ? given : randomUUID()
    },
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true } },
    // Room for any STIX id in a path (a type has at most 250 characters, then "--" and a UUID).
    routerOptions: { maxParamLength: 300 },
    // Errors raised before routing (a malformed or over-long URL) answer in the format of the API addressed.
    frameworkErrors: (err, req, reply) => (req.url.startsWith('/taxii2/') ? taxiiErrorHandler : sendApiError)(err, req, reply),
  })

  installErrorHandlers(app)
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
  await app.register(databasePlugin, { knex: opts.knex })
  await app.register(jobsPlugin, {
    connectionString: opts.databaseUrl,
    runWorkers: opts.runWorkers ?? true,
    // Timed-out jobs (a worker that died mid-run) are found at this interval: no later than a run's timeout.
    maintenanceIntervalSeconds: Math.min(120, config.feeds.runTimeout),
  })
  await app.register(registryPlugin, { registry: opts.registry })
  await app.register(identityPlugin, { identity: opts.identity, secret: config.secrets.jwt, ...config.auth })
  await app.register(authenticationPlugin)
  await app.register(openapiPlugin, { publicUrl: config.publicUrl, version: CRISP_VERSION, docs: config.apiDocs })
  await app.register(feedsPlugin, { feeds: config.feeds, storeObjects })
  await app.register(exportsPlugin, { dataDir: config.dataDir, downloadSecret: config.secrets.jwt })
  await app.register(maintenancePlugin, { dataDir: config.dataDir })
  await app.register(eventsPlugin, { egress: config.egress })
  const anonymizedOutput = anonymizedWriter(opts.knex, (err) => app.log.warn({ err }, 'anonymized output not stored (it is recomputed on its next read)'))
  app.addHook('preClose', () => anonymizedOutput.flush())
  await app.register(rateLimitPlugin, config.rateLimit)

  await app.register(healthRoutes)
  await app.register(frontDoorRoutes, { publicUrl: config.publicUrl, apiDocs: config.apiDocs, admin: opts.admin ?? false })
  await app.register(apiV1Routes, { prefix: '/api/v1' })
  await app.register(taxiiRoutes, { prefix: '/taxii2', publicUrl: config.publicUrl, maxContentLength: config.bodyLimit })
  await registerTaxiiIngestWorker(app)
  if (opts.admin) {
    // Imported lazily: AdminJS takes about a second to load. Encapsulated: it brings its own session and CSP.
    const { adminConsolePlugin } = await import('../admin/plugin.js')
    await app.register(adminConsolePlugin, { config })
  }
  return app
}
