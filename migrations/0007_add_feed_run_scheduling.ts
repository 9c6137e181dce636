import type { Knex } from 'knex'

/**
 * Scheduling and run ownership for feeds:
 * - `feeds.next_run_at`: when the maintenance tick next enqueues the feed (null = manual only or disabled);
 * - at most one queued/running run per feed, enforced by the database (a partial unique index), so two
 *   workers, two API nodes or a tick racing a manual run can never start the same feed twice;
 * - `lease_token`/`lease_expires_at`: the attempt that owns a running run; every batch transaction checks
 *   it, so a worker that lost its lease (timed out, job re-delivered) cannot write anymore.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('feeds', (t) => {
    t.timestamp('next_run_at', { useTz: true })
    t.index(['next_run_at'], 'feeds_next_run_at_idx', {
      predicate: knex.whereRaw('enabled AND next_run_at IS NOT NULL'),
    })
  })
  await knex.schema.alterTable('feed_runs', (t) => {
    t.uuid('lease_token')
    t.timestamp('lease_expires_at', { useTz: true })
    t.integer('attempts').notNullable().defaultTo(0)
  })
  await knex.raw(
    `CREATE UNIQUE INDEX feed_runs_one_active_per_feed ON feed_runs (feed_id) WHERE status IN ('queued', 'running')`,
  )
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX IF EXISTS feed_runs_one_active_per_feed')
  await knex.schema.alterTable('feed_runs', (t) => {
    t.dropColumns('lease_token', 'lease_expires_at', 'attempts')
  })
  await knex.schema.alterTable('feeds', (t) => {
    t.dropIndex(['next_run_at'], 'feeds_next_run_at_idx')
    t.dropColumn('next_run_at')
  })
}
