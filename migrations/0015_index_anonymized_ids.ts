import type { Knex } from 'knex'

// Id look-ups of anonymized readers match the ids they receive (core/sharing/id-lookup.ts): the stored output's
// anonymized id, per variant.
export async function up(knex: Knex): Promise<void> {
  await knex.raw('CREATE INDEX anonymized_objects_variant_id ON anonymized_objects (variant, anonymized_id)')
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX IF EXISTS anonymized_objects_variant_id')
}
