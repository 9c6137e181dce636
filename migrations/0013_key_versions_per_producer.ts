import type { Knex } from 'knex'

// A version is keyed by (id, modified) per producing organization: two organizations that store the same
// version with different content (a feed's default TLP marking added by one of them, say) each keep their own
// row instead of the second being refused. Identical content is still stored once (the store reuses a row
// whose content hash matches, whoever produced it), and one organization still cannot hold two contents of
// one version (core/store/write-batch.ts).
export async function up(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE stix_objects DROP CONSTRAINT stix_objects_stix_id_version_unique')
  await knex.raw(
    'CREATE UNIQUE INDEX stix_objects_id_version_producer ON stix_objects (stix_id, version, producer_org_id)',
  )
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX IF EXISTS stix_objects_id_version_producer')
  await knex.raw(
    'ALTER TABLE stix_objects ADD CONSTRAINT stix_objects_stix_id_version_unique UNIQUE (stix_id, version)',
  )
}
