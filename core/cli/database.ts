import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import type { Knex } from 'knex'
import pg from 'pg'
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
 * The embedded cluster of a platform running on this data folder, if it answers on `CRISP_EMBEDDED_PG_PORT`:
 * starting a second server on the same folder would stop the running one as an orphan.
 */
async function runningEmbeddedUrl(config: Config): Promise<string | undefined> {
  const passwordFile = path.join(config.dataDir, 'postgres', 'postgres-password')
  if (!existsSync(passwordFile)) return undefined
  const url = `postgres://postgres:${encodeURIComponent(readFileSync(passwordFile, 'utf8').trim())}@127.0.0.1:${config.embeddedPgPort}/crisp`
  const probe = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 })
  const running = await probe.connect().then(
    () => true,
    () => false,
  )
  await probe.end().catch(() => undefined)
  return running ? url : undefined
}

/**
 * Runs `fn` on the database of this environment, as the platform finds it: `DATABASE_URL`, else the embedded
 * cluster under `CRISP_DATA_DIR` — the running platform's if it answers, otherwise started for the duration of
 * the command. Then closes the pool and stops the server it started: the commands that need the database but
 * not the platform.
 */
export async function withDatabase<T>(fn: (db: CommandDatabase) => Promise<T>): Promise<T> {
  const config = loadConfig()
  const running = config.databaseUrl ? undefined : await runningEmbeddedUrl(config)
  const logger = createLogger({ level: 'warn' })
  const db = running
    ? { url: running, embedded: undefined }
    : await resolveDatabase({
        databaseUrl: config.databaseUrl,
        dataDir: config.dataDir,
        port: config.embeddedPgPort,
        log: (l) => logger.info(l),
      })
  const knex = createKnex(db.url)
  try {
    return await fn({ config, knex, url: db.url })
  } finally {
    await knex.destroy()
    await db.embedded?.stop()
  }
}
