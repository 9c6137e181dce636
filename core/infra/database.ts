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

export async function migrateLatest(knex: Knex): Promise<string[]> {
  const [, applied] = await knex.migrate.latest()
  return applied as string[]
}

/** True when every migration the code knows is applied. */
export async function migrationsCurrent(knex: Knex): Promise<boolean> {
  const [, pending] = (await knex.migrate.list()) as [unknown[], unknown[]]
  return pending.length === 0
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
