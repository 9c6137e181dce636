import path from 'node:path'
import type { FastifyInstance } from 'fastify'
import type { Knex } from 'knex'
import type { Logger } from 'pino'
import type { Config } from '../config/load.js'
import type { AnyPluginDefinition } from './plugin-api/index.js'
import { builtinPlugins } from '../plugins/index.js'
import { buildApp } from './app.js'
import { migrateLatest } from './infra/database.js'
import { listenMetricsOnly } from './infra/metrics-listener.js'
import { createIdentityCore } from './identity/identity-core.js'
import { jwtCodecOf } from './identity/jwt-keys.js'
import { createPlatformMetrics } from './infra/metrics.js'
import { ensureFirstAdmin } from './identity/first-admin.js'
import { createRegistry, type PluginRegistry } from './registry/registry.js'

export interface PlatformOptions {
  config: Config
  /** The platform's database. From here on the platform owns it: `close()` (or a failed start) destroys it. */
  knex: Knex
  /** Connection string of the same database: pg-boss keeps its own pool. */
  databaseUrl: string
  /** The process logger (see `createLogger`); tests point it at a capture stream. */
  logger: Logger
  /** Serve HTTP on the configured host and port (`crisp start`). Without it, only `CRISP_METRICS_PORT` is served when set. */
  listen?: boolean
  /** Run job workers in this process (default: yes; `crisp start --no-workers`: no). */
  runWorkers?: boolean
  /** Mount the AdminJS console (`crisp start`; tests only when they need it, it is slow to load). */
  admin?: boolean
  /** Create the first admin when the database has none (default: yes; tests and benchmarks make their own users). */
  firstAdmin?: boolean
  /** The built-in plugins (default: `plugins/index.ts`); tests replace them. */
  builtins?: readonly AnyPluginDefinition[]
  /** Folder the plugins file's relative `from` paths start in (default: the plugins file's folder). */
  pluginsBaseDir?: string
}

/** A built platform: the ready Fastify app and the handles its callers use. */
export interface Platform {
  app: FastifyInstance
  config: Config
  knex: Knex
  jobs: FastifyInstance['jobs']
  registry: PluginRegistry
  /** Stops listening, the workers and the database pool (the database server itself is the caller's). */
  close(): Promise<void>
}

/**
 * The one way to build the platform, for `crisp start`/`crisp worker`, the tests and the benchmarks:
 * migrations → identity core → plugin registry (every plugin config checked) → app → ready → first admin →
 * listener. Where the database comes from (DATABASE_URL, embedded, a test clone) is the caller's business.
 */
export async function createPlatform(options: PlatformOptions): Promise<Platform> {
  const { config, knex, logger } = options
  let app: FastifyInstance | undefined
  let closeMetrics: (() => Promise<void>) | undefined
  const close = async () => {
    await closeMetrics?.()
    // The app's database plugin destroys the pool when the app closes.
    if (app) await app.close()
    else await knex.destroy()
  }
  try {
    const applied = await migrateLatest(knex)
    if (applied.length) logger.info({ migrations: applied }, 'migrations applied')
    const metrics = createPlatformMetrics()
    const identity = createIdentityCore({ knex, jwt: jwtCodecOf(config), metrics })
    const registry = await createRegistry({
      builtins: options.builtins ?? builtinPlugins,
      pluginsFile: config.plugins,
      baseDir: options.pluginsBaseDir ?? path.dirname(config.pluginsFile),
      log: logger,
      secrets: { anonymizationKey: config.secrets.anonymizationKey },
      services: { identity: identity.services },
      egress: config.egress,
    })
    app = await buildApp({
      config,
      knex,
      databaseUrl: options.databaseUrl,
      registry,
      identity,
      metrics,
      runWorkers: options.runWorkers ?? true,
      logger,
      admin: options.admin ?? false,
    })
    await app.ready()
    if (options.firstAdmin ?? true) {
      await ensureFirstAdmin({
        knex,
        email: config.firstAdmin.email,
        password: config.firstAdmin.password,
        log: logger,
      })
    }
    if (options.listen) await app.listen({ port: config.port, host: config.host })
    else if (config.metricsPort !== undefined)
      closeMetrics = (await listenMetricsOnly(app, { port: config.metricsPort, host: config.host })).close
    return { app, config, knex, jobs: app.jobs, registry, close }
  } catch (err) {
    await close().catch(() => undefined)
    throw err
  }
}
