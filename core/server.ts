import type { FastifyInstance } from 'fastify'
import type { Logger } from 'pino'
import { loadConfig, type Config } from '../config/load.js'
import { createKnex } from './infra/database.js'
import { resolveDatabase } from './infra/database-url.js'
import { createLogger } from './infra/logger.js'
import { setHeapGrowth } from './infra/heap-growth.js'
import { createPlatform, type Platform } from './platform.js'
import path from 'node:path'

export interface Running {
  app: FastifyInstance
  config: Config
  stop(): Promise<void>
}

/**
 * Starts a platform process: config → database (embedded when no DATABASE_URL) → `createPlatform`
 * (migrations, plugins, app). `listen: false` boots a worker-only process.
 */
export async function startPlatform(options: {
  env?: Record<string, string | undefined>
  listen: boolean
  runWorkers: boolean
  logger?: Logger
}): Promise<Running> {
  const config = loadConfig(options.env ?? process.env)
  setHeapGrowth(config.heapGrowthPercent)
  const logger = options.logger ?? createLogger({ level: config.logLevel })
  if (config.generatedSecrets.length) {
    logger.warn(
      { secrets: config.generatedSecrets, file: path.join(config.dataDir, 'secrets.json') },
      'development secrets generated (set them in the environment for production)',
    )
  }
  if (config.fileSecrets.length) {
    logger.info(
      { secrets: config.fileSecrets, file: path.join(config.dataDir, 'secrets.json') },
      'development secrets read from file',
    )
  }
  const db = await resolveDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    port: config.embeddedPgPort,
    log: (l) => logger.info(l),
    warn: (l) => logger.warn(l),
  })
  const knex = createKnex(db.url, { poolMax: config.dbPoolMax })
  let platform: Platform | undefined
  const stop = async () => {
    if (platform) await platform.close()
    else await knex.destroy()
    await db.embedded?.stop()
  }
  try {
    // A failed start closes what it built (the pool included); the embedded server is stopped below.
    platform = await createPlatform({
      config,
      knex,
      databaseUrl: db.url,
      logger,
      listen: options.listen,
      runWorkers: options.runWorkers,
      admin: options.listen,
    })
    return { app: platform.app, config, stop }
  } catch (err) {
    await db.embedded?.stop().catch(() => undefined)
    throw err
  }
}
