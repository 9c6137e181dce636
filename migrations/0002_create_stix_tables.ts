import type { Knex } from 'knex'

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('collections', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'))
    t.uuid('organization_id').notNullable().references('organizations.id').onDelete('RESTRICT')
    t.text('title').notNullable()
    t.text('description').notNullable().defaultTo('')
    t.text('alias').unique()
    t.text('visibility').notNullable().defaultTo('private')
    t.timestamps(true, true)
    t.check(`visibility IN ('private', 'trusted', 'public')`, [], 'collections_visibility_valid')
    t.check(`char_length(btrim(title)) BETWEEN 1 AND 200`, [], 'collections_title_length')
    t.index(['organization_id'])
  })
  // One row per STIX object version, keyed by (id, modified). SCOs and other unversioned objects use the
  // epoch as their version so they still have exactly one key.
  await knex.schema.createTable('stix_objects', (t) => {
    t.bigIncrements('pk')
    t.text('stix_id').notNullable()
    t.timestamp('version', { useTz: true, precision: 6 }).notNullable()
    t.text('type').notNullable()
    t.text('spec_version').notNullable().defaultTo('2.1')
    t.uuid('producer_org_id').notNullable().references('organizations.id').onDelete('RESTRICT')
    t.text('tlp')
    t.boolean('revoked').notNullable().defaultTo(false)
    t.specificType('labels', 'text[]').notNullable().defaultTo('{}')
    t.timestamp('created', { useTz: true, precision: 6 })
    t.text('name')
    t.jsonb('document').notNullable()
    t.timestamp('stored_at', { useTz: true, precision: 6 }).notNullable().defaultTo(knex.fn.now())
    t.unique(['stix_id', 'version'])
    t.check(`stix_id ~ '^[a-z0-9-]+--[0-9a-f-]{36}$'`, [], 'stix_objects_id_format')
    t.check(`tlp IS NULL OR tlp IN ('clear', 'green', 'amber', 'amber+strict', 'red')`, [], 'stix_objects_tlp_valid')
    t.index(['type'])
  })
  // Membership of an object version in a collection. `seq` breaks date_added ties so TAXII paging is total.
  await knex.schema.createTable('collection_objects', (t) => {
    t.uuid('collection_id').notNullable().references('collections.id').onDelete('CASCADE')
    t.bigInteger('object_pk').notNullable().references('stix_objects.pk').onDelete('CASCADE')
    t.bigIncrements('seq', { primaryKey: false })
    t.timestamp('date_added', { useTz: true, precision: 6 }).notNullable().defaultTo(knex.raw('clock_timestamp()'))
    t.primary(['collection_id', 'object_pk'])
    t.unique(['seq'])
    t.index(['collection_id', 'date_added', 'seq'])
    t.index(['object_pk'])
  })
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('collection_objects')
  await knex.schema.dropTableIfExists('stix_objects')
  await knex.schema.dropTableIfExists('collections')
}
