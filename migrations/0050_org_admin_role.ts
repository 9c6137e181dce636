import type { Knex } from 'knex'

// The roles as of this migration, written out (not imported from the core): a migration must keep meaning
// what it meant when it ran, whatever the role list becomes later.
const ROLES_BEFORE = ['viewer', 'publisher', 'admin']
const ROLES_AFTER = ['viewer', 'publisher', 'org-admin', 'admin']

const inList = (values: string[]) => `role IN (${values.map((v) => `'${v}'`).join(', ')})`

/** `org-admin`: manages its own organization's users, API keys, trust relationships and feeds (docs/auth.md). */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE users DROP CONSTRAINT users_role_valid')
  await knex.raw(`ALTER TABLE users ADD CONSTRAINT users_role_valid CHECK (${inList(ROLES_AFTER)})`)
}

/** Refused while org-admins exist: demote them first (the constraint would not hold). */
export async function down(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE users DROP CONSTRAINT users_role_valid')
  await knex.raw(`ALTER TABLE users ADD CONSTRAINT users_role_valid CHECK (${inList(ROLES_BEFORE)})`)
}
