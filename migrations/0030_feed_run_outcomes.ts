import type { Knex } from 'knex'

const COUNTERS = ['fetched', 'new_objects', 'new_versions', 'unchanged', 'rejected']

/**
 * Feed runs say what happened:
 * - `partial`: the run finished but the source or the store rejected some items (`succeeded` = none rejected);
 * - `attempt_counts`: one entry of counters per attempt (what each attempt fetched and stored);
 * - `uncheckpointed`: the current attempt's counters since its last checkpoint. A retry resumes from the
 *   checkpoint and fetches those items again, so they leave the run's `fetched`/`unchanged`/`rejected` when
 *   the attempt is retried: the run counts each item of the source once, not once per attempt.
 * - `feeds.default_tlp` may be `none`: objects without a TLP marking are stored as they are.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE feed_runs DROP CONSTRAINT feed_runs_status_valid')
  await knex.raw(
    `ALTER TABLE feed_runs ADD CONSTRAINT feed_runs_status_valid CHECK (status IN ('queued', 'running', 'succeeded', 'partial', 'failed', 'cancelled'))`,
  )
  await knex.schema.alterTable('feed_runs', (t) => {
    t.jsonb('attempt_counts').notNullable().defaultTo('[]')
    t.jsonb('uncheckpointed')
      .notNullable()
      .defaultTo(JSON.stringify(Object.fromEntries(COUNTERS.map((c) => [c, 0]))))
  })
  await knex.raw('ALTER TABLE feeds DROP CONSTRAINT feeds_default_tlp_valid')
  await knex.raw(
    `ALTER TABLE feeds ADD CONSTRAINT feeds_default_tlp_valid CHECK (default_tlp IN ('none', 'clear', 'green', 'amber', 'amber+strict', 'red'))`,
  )
}

export async function down(knex: Knex): Promise<void> {
  await knex('feeds').where({ default_tlp: 'none' }).update({ default_tlp: 'amber' })
  await knex.raw('ALTER TABLE feeds DROP CONSTRAINT feeds_default_tlp_valid')
  await knex.raw(
    `ALTER TABLE feeds ADD CONSTRAINT feeds_default_tlp_valid CHECK (default_tlp IN ('clear', 'green', 'amber', 'amber+strict', 'red'))`,
  )
  await knex('feed_runs').where({ status: 'partial' }).update({ status: 'succeeded' })
  await knex.raw('ALTER TABLE feed_runs DROP CONSTRAINT feed_runs_status_valid')
  await knex.raw(
    `ALTER TABLE feed_runs ADD CONSTRAINT feed_runs_status_valid CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled'))`,
  )
  await knex.schema.alterTable('feed_runs', (t) => {
    t.dropColumns('attempt_counts', 'uncheckpointed')
  })
}
