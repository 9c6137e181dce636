import type { Knex } from 'knex'

export async function up(knex: Knex): Promise<void> {
  // Large exports run as `export.run` jobs; the file lands under <dataDir>/exports and is removed at expiry.
  await knex.schema.createTable('export_jobs', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'))
    t.uuid('user_id').notNullable().references('users.id').onDelete('CASCADE')
    t.uuid('organization_id').notNullable().references('organizations.id').onDelete('CASCADE')
    t.text('format').notNullable()
    t.jsonb('filter').notNullable().defaultTo('{}')
    t.jsonb('options').notNullable().defaultTo('{}')
    t.text('status').notNullable().defaultTo('queued')
    t.bigInteger('objects_written').notNullable().defaultTo(0)
    t.bigInteger('bytes_written').notNullable().defaultTo(0)
    t.text('file_name')
    t.text('error')
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now())
    t.timestamp('started_at', { useTz: true })
    t.timestamp('finished_at', { useTz: true })
    t.timestamp('expires_at', { useTz: true })
    t.check(`status IN ('queued', 'running', 'done', 'failed', 'expired')`, [], 'export_jobs_status_valid')
    t.index(['user_id', 'created_at'])
    t.index(['expires_at'])
  })
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('export_jobs')
}
