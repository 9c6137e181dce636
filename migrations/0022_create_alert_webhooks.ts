import type { Knex } from 'knex'

// One webhook per organization for new High/Critical alerts, and the log of every delivery.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('alert_settings', (t) => {
    t.text('webhook_url')
    // The HMAC key of the signatures: the receiver holds it too, so it is stored (not hashed) and shown once.
    t.text('webhook_secret')
  })
  await knex.schema.createTable('webhook_deliveries', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'))
    t.bigIncrements('seq', { primaryKey: false })
    t.uuid('organization_id').notNullable().references('organizations.id').onDelete('CASCADE')
    t.uuid('alert_id').notNullable().references('alerts.id').onDelete('CASCADE')
    t.text('url').notNullable()
    t.text('status').notNullable().defaultTo('pending')
    t.integer('attempts').notNullable().defaultTo(0)
    t.integer('response_status')
    t.text('last_error')
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now())
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now())
    t.timestamp('delivered_at', { useTz: true })
    t.check("status IN ('pending', 'retrying', 'delivered', 'failed')", [], 'webhook_deliveries_status_valid')
    t.unique(['alert_id'])
    t.index(['organization_id', 'seq'])
  })
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('webhook_deliveries')
  await knex.schema.alterTable('alert_settings', (t) => {
    t.dropColumn('webhook_url')
    t.dropColumn('webhook_secret')
  })
}
