import type { Knex } from 'knex'

// SHA-256 (base64) of the exact JSON text a version was stored from (core/store). Lets the store tell an
// unchanged re-submission by comparing hashes instead of whole jsonb documents, and skip validating it.
// Nullable: rows written by other paths (seeds, older versions) have none and are compared by document.
export async function up(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE stix_objects ADD COLUMN content_hash text')
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE stix_objects DROP COLUMN IF EXISTS content_hash')
}
