import type { Knex } from 'knex'
import { recordAudit } from '../../audit/record.js'
import type { AlertSettings } from '../../alerts/settings.js'
import { deterministicId } from '../../plugin-api/stix-build.js'
import { resolveCollectionContexts } from '../../sharing/index.js'
import { storeObjects } from '../../store/index.js'
import { toMicrosecondTimestamp } from '../../stix/timestamps.js'
import type { StoredMatch } from './record-matches.js'

export type SightingOutcome = { matchId: string; sightingId: string } | { matchId: string; skipped: string }

/** The organization's sightings collection: the configured one, else one created (visibility `trusted`) and remembered. */
async function sightingCollection(trx: Knex.Transaction, settings: AlertSettings): Promise<string> {
  if (settings.sightingCollectionId) return settings.sightingCollectionId
  const [row] = await trx('collections')
    .insert({
      organization_id: settings.organizationId,
      title: 'Sightings shared back',
      description: "Sightings of partners' indicators in this organization's security events",
      visibility: 'trusted',
    })
    .returning('id')
  await trx('alert_settings')
    .insert({ organization_id: settings.organizationId, sighting_collection_id: row.id, share_sightings: true })
    .onConflict('organization_id')
    .merge(['sighting_collection_id'])
  return row.id
}

/**
 * The reporting organization's STIX identity: its current version (migrations/0051, kept by the organization
 * service), else one built with fixed timestamps so every copy is the same version.
 */
async function reporterIdentity(trx: Knex.Transaction, orgId: string): Promise<Record<string, unknown>> {
  const org = await trx('organizations').where({ id: orgId }).first('name', 'created_at', 'stix_identity')
  if (!org) throw new Error(`organization ${orgId} not found while sharing its sightings`)
  if (org.stix_identity) return org.stix_identity
  const created = toMicrosecondTimestamp(org.created_at)
  return {
    type: 'identity',
    spec_version: '2.1',
    id: deterministicId('identity', 'crisp-organization', orgId),
    created,
    modified: created,
    name: org.name,
    identity_class: 'organization',
  }
}

/**
 * Publishes a STIX 2.1 sighting of each newly matched indicator produced by another organization, through the
 * store (the one validating way in), into the reporter's sightings collection — only when the producer can
 * read that collection; the producer then receives it through the egress pipeline, anonymized like any
 * object of the reporter's. The sighting's id and timestamps derive from the event and the indicator, so a
 * retried job stores nothing new.
 */
export async function shareSightings(
  trx: Knex.Transaction,
  matches: readonly StoredMatch[],
  settings: AlertSettings,
): Promise<SightingOutcome[]> {
  const wanted = matches.filter((m) => m.stixType === 'indicator' && m.producerOrgId !== settings.organizationId)
  if (!settings.shareSightings || !wanted.length) return []
  const collectionId = await sightingCollection(trx, settings)
  const identity = await reporterIdentity(trx, settings.organizationId)
  const outcomes: SightingOutcome[] = []
  const readable = new Map<string, boolean>()
  for (const m of wanted) {
    if (!readable.has(m.producerOrgId))
      readable.set(
        m.producerOrgId,
        (await resolveCollectionContexts(trx, m.producerOrgId, [collectionId])).has(collectionId),
      )
    if (!readable.get(m.producerOrgId)) {
      outcomes.push({
        matchId: m.id,
        skipped: 'the producer cannot read the sightings collection (it is shared with organizations this one trusts)',
      })
      continue
    }
    const event = await trx('security_events').where({ id: m.eventId }).first('occurred_at', 'created_at')
    if (!event) {
      outcomes.push({ matchId: m.id, skipped: 'the event was deleted' })
      continue
    }
    const seen = toMicrosecondTimestamp(event.occurred_at)
    const stamp = toMicrosecondTimestamp(event.created_at)
    const sighting = {
      type: 'sighting',
      spec_version: '2.1',
      id: deterministicId('sighting', m.eventId, m.stixId),
      created: stamp,
      modified: stamp,
      sighting_of_ref: m.stixId,
      count: 1,
      first_seen: seen,
      last_seen: seen,
      where_sighted_refs: [identity.id],
      created_by_ref: identity.id,
    }
    const results = await storeObjects({
      db: trx,
      collectionId,
      producerOrgId: settings.organizationId,
      objects: [identity, sighting],
    })
    const refused = results.find((r) => r.status === 'rejected')
    if (refused) {
      outcomes.push({ matchId: m.id, skipped: `refused by the store: ${refused.message}` })
      continue
    }
    await trx('event_matches').where({ id: m.id }).update({ sighting_id: sighting.id })
    await recordAudit(trx, {
      action: 'sighting.share',
      targetType: 'stix-object',
      targetId: sighting.id,
      details: {
        organizationId: settings.organizationId,
        collectionId,
        sightingOf: m.stixId,
        producerOrgId: m.producerOrgId,
      },
    })
    outcomes.push({ matchId: m.id, sightingId: sighting.id })
  }
  return outcomes
}
