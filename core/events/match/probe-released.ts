import type { Knex } from 'knex'
import type { LoadedPlugin } from '../../registry/registry.js'
import type { StixObjectRow } from '../../model/tables.js'
import { decideRelease } from '../../sharing/index.js'
import type { EventObservable } from '../event-input.js'
import type { ReleasedCandidate } from './find-matches.js'
import { probeKeys } from './released-keys.js'
import { RAW_VARIANT, type IndexedCollection } from './released-index.js'
import { parseStixText } from '../../stix/stix-text.js'

interface CandidateRow extends Pick<StixObjectRow, 'stix_id' | 'tlp'> {
  collection_id: string
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
  const bindings: Knex.RawBinding[] = [
    kinds,
    values,
    collections.map((c) => c.id),
    collections.map((c) => c.variant),
    RAW_VARIANT,
    RAW_VARIANT,
  ]
  const { rows } = await knex.raw<{ rows: CandidateRow[] }>(
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
     WHERE co.latest`,
    bindings,
  )
  const byId = new Map(collections.map((c) => [c.id, c]))
  const released: ReleasedCandidate[] = []
  for (const row of rows) {
    const c = byId.get(row.collection_id)
    if (!c) continue
    const decision = decideRelease({
      tlp: row.tlp,
      relation: c.context.relation,
      anonymizationLevel: c.context.anonymizationLevel,
    })
    if (!decision.release) continue
    // `doc` is null only where the stored output replaces it (`has_output`), never for the reader's own collections.
    if (decision.own) {
      if (row.doc !== null) released.push({ id: row.stix_id, json: row.doc, collectionId: c.id })
      continue
    }
    if (row.has_output) {
      // A null document: the strategy withholds the object from this variant.
      if (row.anon_id !== null && row.anon_doc !== null)
        released.push({ id: row.anon_id, json: row.anon_doc, collectionId: c.id })
      continue
    }
    if (row.doc === null) continue
    // The stored output was pruned since the fill: the same strategy and variant give the same output again.
    const object = opts.anonymizer.impl.anonymize(parseStixText(row.doc), { ...c.ctx, level: decision.level })
    if (object) released.push({ id: object.id, json: JSON.stringify(object), object, collectionId: c.id })
  }
  return released
}
