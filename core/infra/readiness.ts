import type { Knex } from 'knex'
import { migrationsCurrent } from './database.js'

/** Each check by name (`database`, `migrations`, `jobs`): true when it passes. */
export type Readiness = Record<'database' | 'migrations' | 'jobs', boolean>

/**
 * Whether this process can serve: the database answers, every migration has run, and the job queue is up.
 * A failing check is reported as false (and logged by the caller), never thrown: a load balancer reads the answer.
 */
export async function readiness(knex: Knex, jobsRunning: boolean, onError: (err: unknown) => void): Promise<Readiness> {
  const checks = { database: false, migrations: false, jobs: jobsRunning }
  try {
    await knex.raw('select 1')
    checks.database = true
    checks.migrations = await migrationsCurrent(knex)
  } catch (err) {
    onError(err)
  }
  return checks
}
