import type { Knex } from 'knex'

// Security events an organization submits, the alerts they raise, and the alert workflow's notes and history.
// One alert per event at most: the unique event_id is what keeps concurrent and retried ingestion from
// raising two.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('security_events', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'))
    // Orders lists and keys their pages (ids are random, created_at is shared by a whole batch).
    t.bigIncrements('seq', { primaryKey: false })
    t.uuid('organization_id').notNullable().references('organizations.id').onDelete('CASCADE')
    t.uuid('submitted_by').references('users.id').onDelete('SET NULL')
    t.text('source').notNullable()
    t.text('event_type').notNullable()
    t.smallint('severity').notNullable()
    t.text('description').notNullable().defaultTo('')
    t.timestamp('occurred_at', { useTz: true }).notNullable()
    t.jsonb('observables').notNullable().defaultTo('[]')
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now())
    t.timestamp('matched_at', { useTz: true })
    t.check('severity BETWEEN 1 AND 4', [], 'security_events_severity_range')
    t.index(['organization_id', 'seq'])
  })
  // The events a matching pass picks up: the organization's unmatched ones, oldest first.
  await knex.raw(
    'CREATE INDEX security_events_unmatched ON security_events (organization_id, seq) WHERE matched_at IS NULL',
  )
  await knex.schema.createTable('alert_settings', (t) => {
    t.uuid('organization_id').primary().references('organizations.id').onDelete('CASCADE')
    t.smallint('alert_threshold').notNullable().defaultTo(3)
    t.smallint('match_severity')
    t.boolean('share_sightings').notNullable().defaultTo(false)
    t.uuid('sighting_collection_id').references('collections.id').onDelete('SET NULL')
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now())
    t.check('alert_threshold BETWEEN 1 AND 5', [], 'alert_settings_threshold_range')
    t.check('match_severity IS NULL OR match_severity BETWEEN 1 AND 4', [], 'alert_settings_match_severity_range')
  })
  await knex.schema.createTable('alerts', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'))
    t.bigIncrements('seq', { primaryKey: false })
    t.uuid('organization_id').notNullable().references('organizations.id').onDelete('CASCADE')
    t.uuid('event_id').notNullable().unique().references('security_events.id').onDelete('CASCADE')
    t.text('title').notNullable()
    t.text('source').notNullable()
    t.smallint('severity').notNullable()
    t.text('status').notNullable().defaultTo('open')
    t.uuid('assignee_user_id').references('users.id').onDelete('SET NULL')
    t.integer('match_count').notNullable().defaultTo(0)
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now())
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now())
    t.timestamp('acknowledged_at', { useTz: true })
    t.timestamp('resolved_at', { useTz: true })
    t.check("status IN ('open', 'acknowledged', 'resolved')", [], 'alerts_status_valid')
    t.check('severity BETWEEN 1 AND 4', [], 'alerts_severity_range')
    t.index(['organization_id', 'created_at'])
  })
  await knex.schema.createTable('alert_notes', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'))
    t.uuid('alert_id').notNullable().references('alerts.id').onDelete('CASCADE')
    t.uuid('author_user_id').references('users.id').onDelete('SET NULL')
    t.text('body').notNullable()
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now())
    t.index(['alert_id'])
  })
  await knex.schema.createTable('alert_history', (t) => {
    t.bigIncrements('id')
    t.uuid('alert_id').notNullable().references('alerts.id').onDelete('CASCADE')
    t.uuid('actor_user_id').references('users.id').onDelete('SET NULL')
    t.text('change').notNullable()
    t.text('from_value')
    t.text('to_value')
    t.text('reason')
    t.timestamp('at', { useTz: true }).notNullable().defaultTo(knex.fn.now())
    t.index(['alert_id'])
  })
  // API keys restricted to a few permissions (a SIEM's key that may only ingest events).
  await knex.schema.createTable('api_key_scopes', (t) => {
    t.uuid('api_key_id').primary().references('api_keys.id').onDelete('CASCADE')
    t.specificType('permissions', 'text[]').notNullable()
  })
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['api_key_scopes', 'alert_history', 'alert_notes', 'alerts', 'alert_settings', 'security_events'])
    await knex.schema.dropTableIfExists(table)
}
