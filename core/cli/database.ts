import type { Knex } from 'knex'
import { loadConfig, type Config } from '../../config/load.js'
import { resolveDatabase } from '../infra/database-url.js'
import { createKnex } from '../infra/database.js'
import { createLogger } from '../infra/logger.js'

/** What a database command works with: the configuration, a pool on the database and its connection string. */
export interface CommandDatabase {
  config: Config
  knex: Knex
  url: string
}

/**
 * Runs `fn` on the configured database (`DATABASE_URL`, else the embedded one under the data folder), then
 * closes the pool and stops the embedded server: the commands that need the database but not the platform.
 */
export async function withDatabase<T>(fn: (db: CommandDatabase) => Promise<T>): Promise<T> {
  const config = loadConfig()
  const logger = createLogger({ level: 'warn' })
  const db = await resolveDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, port: config.embeddedPgPort, log: (l) => logger.info(l) })
  const knex = createKnex(db.url)
  try {
    return await fn({ config, knex, url: db.url })
  } finally {
    await knex.destroy()
    await db.embedded?.stop()
  }
}
