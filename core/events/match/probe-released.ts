import type { Knex } from 'knex'
import type { AnonymizeContext, StixObject } from '../../plugin-api/index.js'
import type { LoadedPlugin } from '../../registry/registry.js'
import { decideRelease } from '../../sharing/index.js'
import type { Tlp } from '../../stix/tlp.js'
import type { EventObservable } from '../event-input.js'
import type { ReleasedCandidate } from './find-matches.js'
import { probeKeys } from './released-keys.js'
import { RAW_VARIANT, type IndexedCollection } from './released-index.js'

interface CandidateRow {
  collection_id: string
  stix_id: string
  tlp: string | null
  anon_id: string | null
  anon_doc: string | null
  /** The stored version: for the reader's own collections, and where the stored output is gone (pruned). */
  doc: string | null
  has_output: boolean
}

/**
 * The objects of the reader's indexed collections that hold one of the events' values, each released again
 * for the reader: the sharing decision (TLP against the collection's current owner and trust) is made here,
 * per candidate, and the text is the stored output of the reader's variant — the object as the reader
 * receives it. Only the last version of an object in a collection counts, as in every egress page.
 */
export async function probeReleasedValues(opts: {
  knex: Knex
  anonymizer: LoadedPlugin<'anonymization-strategy'>
  readerOrgId: string
  collections: readonly IndexedCollection[]
  events: readonly { observables: readonly EventObservable[] }[]
  prefixes: ReadonlySet<string>
}): Promise<ReleasedCandidate[]> {
  const { knex, collections } = opts
  if (!collections.length) return []
  const { kinds, values } = probeKeys(opts.events, opts.prefixes)
  if (!kinds.length) return []
  const { rows } = (await knex.raw(
    `WITH hits AS (
       SELECT DISTINCT v.collection_id, v.variant, rv.object_pk
       FROM unnest(?::text[], ?::text[]) AS p(kind, value)
       CROSS JOIN unnest(?::uuid[], ?::text[]) AS v(collection_id, variant)
       -- One primary-key probe per value and variant (OFFSET 0 keeps the planner from hashing the whole index).
       CROSS JOIN LATERAL (SELECT r.object_pk FROM released_values r WHERE r.kind = p.kind AND r.value = p.value AND r.variant = v.variant OFFSET 0) rv)
     SELECT h.collection_id, s.stix_id, s.tlp, ao.anonymized_id AS anon_id, ao.document AS anon_doc, ao.object_pk IS NOT NULL AS has_output,
       CASE WHEN h.variant = ? OR ao.object_pk IS NULL THEN s.document::text END AS doc
     FROM hits h
     JOIN collection_objects co ON co.collection_id = h.collection_id AND co.object_pk = h.object_pk
     JOIN stix_objects s ON s.pk = h.object_pk
     LEFT JOIN anonymized_objects ao ON ao.object_pk = h.object_pk AND ao.variant = h.variant AND h.variant <> ?
     WHERE NOT EXISTS (SELECT 1 FROM stix_objects s2 JOIN collection_objects co2 ON co2.object_pk = s2.pk AND co2.collection_id = h.collection_id
                       WHERE s2.stix_id = s.stix_id AND s2.version > s.version)`,
    [kinds, values, collections.map((c) => c.id), collections.map((c) => c.variant), RAW_VARIANT, RAW_VARIANT] as Knex.RawBinding[],
  )) as { rows: CandidateRow[] }
  const byId = new Map(collections.map((c) => [c.id, c]))
  const released: ReleasedCandidate[] = []
  for (const row of rows) {
    const c = byId.get(row.collection_id)
    if (!c) continue
    const decision = decideRelease({ tlp: row.tlp as Tlp | null, relation: c.context.relation, anonymizationLevel: c.context.anonymizationLevel })
    if (!decision.release) continue
    if (decision.own) {
      released.push({ id: row.stix_id, json: row.doc as string, collectionId: c.id })
      continue
    }
    if (row.has_output) {
      if (row.anon_doc !== null) released.push({ id: row.anon_id as string, json: row.anon_doc, collectionId: c.id })
      continue
    }
    // The stored output was pruned since the fill: the same strategy and variant give the same output again.
    const object = opts.anonymizer.impl.anonymize(JSON.parse(row.doc as string) as StixObject, { ...(c.ctx as AnonymizeContext), level: decision.level })
    if (object) released.push({ id: object.id, json: JSON.stringify(object), object, collectionId: c.id })
  }
  return released
}
