import type { Knex } from 'knex'

// The store asks, per submitted version, whether the id was revoked earlier (a revoked object gets no new
// versions). Revocations are rare: a partial index keeps that look-up to a probe of a tiny index.
export async function up(knex: Knex): Promise<void> {
  await knex.raw('CREATE INDEX stix_objects_revoked_versions ON stix_objects (stix_id, version) WHERE revoked')
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX IF EXISTS stix_objects_revoked_versions')
}
