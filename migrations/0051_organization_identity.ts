import type { Knex } from 'knex'
import { deterministicId } from '../core/plugin-api/stix-build.js'
import { toMicrosecondTimestamp } from '../core/stix/timestamps.js'

/**
 * Organizations are STIX identities (issue 16): `sectors` (industry-sector-ov), `contact_information`, and
 * `stix_identity`, the current version of the organization's `identity` object (core/identity/org-identity.ts).
 * Existing organizations get theirs here, with a deterministic id (UUIDv5 of the organization id) and the
 * organization's creation time as `created` and `modified` — the very document shared sightings already carried
 * (core/events) for an organization without a contact e-mail; one with a contact e-mail states more, so its
 * first version is dated now, after any sighting's copy. `stix_identity` stays nullable for rows inserted by
 * hand: the store then attributes nothing to such an organization.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('organizations', (t) => {
    t.specificType('sectors', 'text[]').notNullable().defaultTo('{}')
    t.text('contact_information')
    t.jsonb('stix_identity')
  })
  const now = toMicrosecondTimestamp(new Date())
  const orgs = (await knex('organizations').select('id', 'name', 'contact_email', 'created_at')) as {
    id: string
    name: string
    contact_email: string | null
    created_at: Date
  }[]
  for (const org of orgs) {
    const created = toMicrosecondTimestamp(new Date(org.created_at))
    // As core/identity/org-identity.ts builds it, written out here so this migration never changes with it.
    const identity = {
      type: 'identity',
      spec_version: '2.1',
      id: deterministicId('identity', 'crisp-organization', org.id),
      created,
      modified: org.contact_email ? now : created,
      name: org.name,
      identity_class: 'organization',
      ...(org.contact_email ? { contact_information: org.contact_email } : {}),
    }
    await knex('organizations').where({ id: org.id }).update({ stix_identity: identity })
  }
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('organizations', (t) => {
    t.dropColumns('sectors', 'contact_information', 'stix_identity')
  })
}
