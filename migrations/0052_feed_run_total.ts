import type { Knex } from 'knex'

/**
 * `feed_runs.total`: how many items the source said this run would yield (a `total` feed item, see
 * core/plugin-api), for progress; null when the source does not know. The last report of the last attempt wins.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('feed_runs', (t) => {
    t.integer('total')
  })
  await knex.raw(
    'ALTER TABLE feed_runs ADD CONSTRAINT feed_runs_total_not_negative CHECK (total IS NULL OR total >= 0)',
  )
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('feed_runs', (t) => {
    t.dropColumn('total')
  })
}
