import type { Knex } from 'knex'

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('feeds', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'))
    t.uuid('organization_id').notNullable().references('organizations.id').onDelete('RESTRICT')
    t.uuid('collection_id').notNullable().references('collections.id').onDelete('RESTRICT')
    t.text('name').notNullable()
    t.text('source_plugin').notNullable()
    t.jsonb('config').notNullable().defaultTo('{}')
    t.text('schedule')
    t.text('default_tlp').notNullable().defaultTo('amber')
    t.boolean('enabled').notNullable().defaultTo(true)
    t.text('checkpoint')
    t.timestamps(true, true)
    t.unique(['organization_id', 'name'])
    t.check(`default_tlp IN ('clear', 'green', 'amber', 'amber+strict', 'red')`, [], 'feeds_default_tlp_valid')
  })
  await knex.schema.createTable('feed_runs', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'))
    t.uuid('feed_id').notNullable().references('feeds.id').onDelete('CASCADE')
    t.text('job_id')
    t.text('status').notNullable().defaultTo('queued')
    t.text('trigger').notNullable().defaultTo('manual')
    t.timestamp('queued_at', { useTz: true }).notNullable().defaultTo(knex.fn.now())
    t.timestamp('started_at', { useTz: true })
    t.timestamp('finished_at', { useTz: true })
    for (const counter of ['fetched', 'new_objects', 'new_versions', 'unchanged', 'rejected']) {
      t.integer(counter).notNullable().defaultTo(0)
    }
    t.jsonb('rejections').notNullable().defaultTo('[]')
    t.text('error')
    t.check(`status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')`, [], 'feed_runs_status_valid')
    t.index(['feed_id', 'queued_at'])
  })
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('feed_runs')
  await knex.schema.dropTableIfExists('feeds')
}
