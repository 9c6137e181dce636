import fp from 'fastify-plugin'
import knexFactory, { type Knex } from 'knex'
import { Model } from 'objection'
import { migrationSource } from '../../migrations/index.js'

declare module 'fastify' {
  interface FastifyInstance {
    knex: Knex
  }
}

/** What node-postgres hands to the pool's `afterCreate`: a connection that can run a statement. */
interface PoolConnection {
  query(sql: string, callback: (err: Error | null) => void): void
}

// The platform's statements are keyset pages, batches and probes by key. A parallel plan for a page of a thousand
// rows pays for starting its worker (≈ 3 ms here, a third of the page) and takes a core from the other readers; the
// planner chooses one where it misjudges a filter's selectivity (docs/BENCHMARKS.md, issue 18 round four).
const SESSION_SETTINGS = 'SET max_parallel_workers_per_gather = 0'

export function createKnex(connectionString: string, options: { poolMax?: number } = {}): Knex {
  return knexFactory({
    client: 'pg',
    connection: { connectionString, application_name: 'crisp' },
    pool: {
      min: 0,
      max: options.poolMax ?? 10,
      afterCreate: (connection: PoolConnection, done: (err: Error | null, connection: PoolConnection) => void) =>
        connection.query(SESSION_SETTINGS, (err) => done(err, connection)),
    },
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
