import type { Knex } from 'knex'

// What an event's observables matched in the intelligence its organization receives: the indicator or
// observable as the organization received it (released id and text), never the producer's stored values.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('event_matches', (t) => {
    t.bigIncrements('id')
    t.uuid('event_id').notNullable().references('security_events.id').onDelete('CASCADE')
    t.text('observable_type').notNullable()
    t.text('observable_value').notNullable()
    t.text('stix_id').notNullable()
    t.text('stix_type').notNullable()
    t.text('matched_value').notNullable()
    t.uuid('collection_id').notNullable().references('collections.id').onDelete('CASCADE')
    t.uuid('producer_org_id').notNullable().references('organizations.id').onDelete('CASCADE')
    t.text('object_json').notNullable()
    t.text('sighting_id')
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now())
    // A retried job finds its matches already stored.
    t.unique(['event_id', 'stix_id', 'collection_id', 'observable_type', 'observable_value'])
  })
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('event_matches')
}
