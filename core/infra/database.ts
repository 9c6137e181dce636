import fp from 'fastify-plugin'
import knexFactory, { type Knex } from 'knex'
import { Model } from 'objection'
import { migrationSource } from '../../migrations/index.js'

declare module 'fastify' {
  interface FastifyInstance {
    knex: Knex
  }
}

export function createKnex(connectionString: string, options: { poolMax?: number } = {}): Knex {
  return knexFactory({
    client: 'pg',
    connection: { connectionString, application_name: 'crisp' },
    pool: { min: 0, max: options.poolMax ?? 10 },
    migrations: { migrationSource, tableName: 'knex_migrations' },
  })
}

// knex types what its migrator resolves as `any`: `latest()` and `rollback()` give [batch number, names],
// `list()` gives [applied, pending]. Each is checked rather than trusted.
const isTextList = (v: unknown): v is string[] => Array.isArray(v) && v.every((item) => typeof item === 'string')

/** The names of the migrations a `latest()` or `rollback()` ran (knex resolves [batch number, names]). */
function migrationNames(result: unknown, call: string): string[] {
  const names: unknown = Array.isArray(result) ? result[1] : undefined
  if (!isTextList(names)) throw new Error(`knex migrate.${call}() did not list the migrations it ran`)
  return names
}

export async function migrateLatest(knex: Knex): Promise<string[]> {
  return migrationNames(await knex.migrate.latest(), 'latest')
}

/** Rolls back the last batch of migrations; returns their names. */
export async function migrateRollback(knex: Knex): Promise<string[]> {
  return migrationNames(await knex.migrate.rollback(), 'rollback')
}

/** How many migrations are applied, and how many the code knows that are not. */
export async function migrationCounts(knex: Knex): Promise<{ applied: number; pending: number }> {
  const result: unknown = await knex.migrate.list()
  const [applied, pending]: unknown[] = Array.isArray(result) ? result : []
  if (!Array.isArray(applied) || !Array.isArray(pending))
    throw new Error('knex migrate.list() did not list the applied and pending migrations')
  return { applied: applied.length, pending: pending.length }
}

/** True when every migration the code knows is applied. */
export async function migrationsCurrent(knex: Knex): Promise<boolean> {
  return (await migrationCounts(knex)).pending === 0
}

/** Binds Objection models to this app's knex and closes the pool when the app closes. */
export const databasePlugin = fp(
  async (app, opts: { knex: Knex }) => {
    Model.knex(opts.knex)
    app.decorate('knex', opts.knex)
    app.addHook('onClose', async () => {
      await opts.knex.destroy()
    })
  },
  { name: 'crisp-database' },
)
