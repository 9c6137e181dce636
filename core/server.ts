import type { FastifyInstance } from 'fastify'
import type { Logger } from 'pino'
import { loadConfig, type Config } from '../config/load.js'
import { buildApp } from './app.js'
import { createKnex, migrateLatest } from './infra/database.js'
import { resolveDatabase } from './infra/database-url.js'
import { createLogger } from './infra/logger.js'
import { createRegistry } from './registry/registry.js'
import { builtinPlugins } from '../plugins/index.js'
import { ensureFirstAdmin } from './identity/first-admin.js'
import { createIdentityCore } from './identity/identity-core.js'
import path from 'node:path'

export interface Running {
  app: FastifyInstance
  config: Config
  stop(): Promise<void>
}

/**
 * Boots the platform: config → database (embedded when no DATABASE_URL) → migrations → plugins → app.
 * `listen: false` boots a worker-only process.
 */
export async function startPlatform(options: { env?: Record<string, string | undefined>; listen: boolean; runWorkers: boolean; logger?: Logger }): Promise<Running> {
  const config = loadConfig(options.env ?? process.env)
  const logger = options.logger ?? createLogger({ level: config.logLevel })
  if (config.generatedSecrets.length) {
    logger.warn({ secrets: config.generatedSecrets, file: path.join(config.dataDir, 'secrets.json') }, 'development secrets generated (set them in the environment for production)')
  }
  if (config.fileSecrets.length) {
    logger.info({ secrets: config.fileSecrets, file: path.join(config.dataDir, 'secrets.json') }, 'development secrets read from file')
  }
  const db = await resolveDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, port: config.embeddedPgPort, log: (l) => logger.info(l) })
  const knex = createKnex(db.url)
  let app: FastifyInstance | undefined
  const stop = async () => {
    if (app) await app.close()
    else await knex.destroy()
    await db.embedded?.stop()
  }
  try {
    const applied = await migrateLatest(knex)
    if (applied.length) logger.info({ migrations: applied }, 'migrations applied')
    const identity = createIdentityCore({ knex })
    const registry = await createRegistry({
      builtins: builtinPlugins,
      pluginsFile: config.plugins,
      baseDir: path.dirname(config.pluginsFile),
      log: logger,
      secrets: { anonymizationKey: config.secrets.anonymizationKey },
      services: { identity: identity.services },
      egress: config.egress,
    })
    app = await buildApp({ config, knex, databaseUrl: db.url, registry, identity, runWorkers: options.runWorkers, logger, admin: options.listen })
    await app.ready()
    await ensureFirstAdmin({ knex, email: config.firstAdmin.email, password: config.firstAdmin.password, log: logger })
    if (options.listen) await app.listen({ port: config.port, host: config.host })
    return { app, config, stop }
  } catch (err) {
    await stop().catch(() => undefined)
    throw err
  }
}
