import type { Knex } from 'knex'

const ROLES = ['viewer', 'publisher', 'admin']
const ANONYMIZATION_LEVELS = ['none', 'low', 'medium', 'high', 'full']

/** The five default trust levels: the higher the trust, the less the sharer's data is anonymized. */
const DEFAULT_TRUST_LEVELS = [
  { name: 'Full trust', level: 5, anonymization_level: 'none', description: 'Shared as is' },
  { name: 'High trust', level: 4, anonymization_level: 'low', description: 'Light anonymization' },
  {
    name: 'Medium trust',
    level: 3,
    anonymization_level: 'medium',
    description: 'Values pseudonymized, networks generalized',
  },
  { name: 'Low trust', level: 2, anonymization_level: 'high', description: 'Producer hidden, strong generalization' },
  { name: 'Untrusted', level: 1, anonymization_level: 'full', description: 'Everything identifying removed' },
] as const

const inList = (column: string, values: string[]) => `${column} IN (${values.map((v) => `'${v}'`).join(', ')})`

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('organizations', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'))
    t.text('name').notNullable().unique()
    t.text('description').notNullable().defaultTo('')
    t.text('contact_email')
    t.timestamps(true, true)
    t.check(`char_length(btrim(name)) BETWEEN 1 AND 200`, [], 'organizations_name_length')
  })
  await knex.schema.createTable('users', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'))
    t.uuid('organization_id').notNullable().references('organizations.id').onDelete('RESTRICT')
    t.text('email').notNullable()
    t.text('display_name').notNullable().defaultTo('')
    t.text('role').notNullable()
    t.text('password_hash')
    t.boolean('is_active').notNullable().defaultTo(true)
    // Bumped on password change, deactivation and "log out everywhere": tokens carrying an older value die.
    t.integer('token_version').notNullable().defaultTo(0)
    t.timestamp('last_login_at', { useTz: true })
    t.timestamps(true, true)
    t.check(inList('role', ROLES), [], 'users_role_valid')
    t.check(`email ~ '^[^@\\s]+@[^@\\s]+$'`, [], 'users_email_format')
    t.index(['organization_id'])
  })
  await knex.raw('CREATE UNIQUE INDEX users_email_unique ON users (lower(email))')
  await knex.schema.createTable('api_keys', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'))
    t.uuid('user_id').notNullable().references('users.id').onDelete('CASCADE')
    t.text('name').notNullable()
    t.text('prefix').notNullable().unique()
    t.text('key_hash').notNullable()
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now())
    t.timestamp('expires_at', { useTz: true })
    t.timestamp('last_used_at', { useTz: true })
    t.timestamp('revoked_at', { useTz: true })
    t.index(['user_id'])
  })
  await knex.schema.createTable('refresh_tokens', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'))
    t.uuid('user_id').notNullable().references('users.id').onDelete('CASCADE')
    t.uuid('family_id').notNullable()
    t.text('token_hash').notNullable().unique()
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now())
    t.timestamp('expires_at', { useTz: true }).notNullable()
    t.timestamp('used_at', { useTz: true })
    t.timestamp('revoked_at', { useTz: true })
    t.index(['family_id'])
    t.index(['user_id'])
  })
  await knex.schema.createTable('trust_levels', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'))
    t.text('name').notNullable().unique()
    t.integer('level').notNullable()
    t.text('anonymization_level').notNullable()
    t.text('description').notNullable().defaultTo('')
    t.timestamps(true, true)
    t.check('level BETWEEN 1 AND 5', [], 'trust_levels_level_range')
    t.check(inList('anonymization_level', ANONYMIZATION_LEVELS), [], 'trust_levels_anonymization_valid')
  })
  await knex('trust_levels').insert(DEFAULT_TRUST_LEVELS)
  await knex.schema.createTable('trust_relationships', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'))
    t.uuid('trustor_org_id').notNullable().references('organizations.id').onDelete('CASCADE')
    t.uuid('trustee_org_id').notNullable().references('organizations.id').onDelete('CASCADE')
    t.uuid('trust_level_id').notNullable().references('trust_levels.id').onDelete('RESTRICT')
    t.text('notes').notNullable().defaultTo('')
    t.timestamps(true, true)
    t.unique(['trustor_org_id', 'trustee_org_id'])
    t.check('trustor_org_id <> trustee_org_id', [], 'trust_relationships_not_self')
    t.index(['trustee_org_id'])
  })
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['trust_relationships', 'trust_levels', 'refresh_tokens', 'api_keys', 'users', 'organizations']) {
    await knex.schema.dropTableIfExists(table)
  }
}
