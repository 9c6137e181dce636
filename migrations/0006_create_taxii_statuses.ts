import type { Knex } from 'knex'

export async function up(knex: Knex): Promise<void> {
  // date_added is unique within a collection (the store spaces writes by at least 1 µs under a per-collection
  // lock), so `added_after` = the last date_added seen is an exact, exclusive resume point for TAXII clients.
  await knex.raw(
    'CREATE UNIQUE INDEX collection_objects_date_added_unique ON collection_objects (collection_id, date_added)',
  )
  // Listing the versions of one object in one collection, and "last/first version" checks, probe by stix_id.
  await knex.raw('CREATE INDEX stix_objects_created_idx ON stix_objects (created)')
  await knex.raw('CREATE INDEX stix_objects_labels_idx ON stix_objects USING gin (labels)')
  // TAXII add-request statuses; kept at least 24 h (expires_at), large requests carry their payload until done.
  await knex.schema.createTable('taxii_statuses', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'))
    t.uuid('collection_id').notNullable().references('collections.id').onDelete('CASCADE')
    t.uuid('organization_id').notNullable().references('organizations.id').onDelete('CASCADE')
    t.uuid('user_id').notNullable()
    t.text('status').notNullable().defaultTo('pending')
    t.timestamp('request_timestamp', { useTz: true, precision: 6 })
      .notNullable()
      .defaultTo(knex.raw('clock_timestamp()'))
    t.integer('total_count').notNullable()
    t.integer('success_count').notNullable().defaultTo(0)
    t.integer('failure_count').notNullable().defaultTo(0)
    t.integer('pending_count').notNullable().defaultTo(0)
    t.jsonb('successes').notNullable().defaultTo('[]')
    t.jsonb('failures').notNullable().defaultTo('[]')
    t.jsonb('pendings').notNullable().defaultTo('[]')
    t.jsonb('payload')
    t.timestamp('expires_at', { useTz: true }).notNullable().defaultTo(knex.raw("now() + interval '7 days'"))
    t.check(`status IN ('pending', 'complete')`, [], 'taxii_statuses_status_valid')
    t.index(['expires_at'])
  })
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('taxii_statuses')
  await knex.raw(
    'DROP INDEX IF EXISTS stix_objects_labels_idx; DROP INDEX IF EXISTS stix_objects_created_idx; DROP INDEX IF EXISTS collection_objects_date_added_unique',
  )
}
