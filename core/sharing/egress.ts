import type { AnonymizationLevel, AnonymizationStrategy, StixObject } from '../plugin-api/index.js'
import type { Tlp } from '../store/tlp.js'
import { decideRelease } from './release-policy.js'
import type { SharedRow } from './shared-rows.js'
import type { CollectionContext } from './reader-context.js'

export interface EgressContext {
  anonymizer: AnonymizationStrategy
  readerOrgId: string
  /** Owner and trust of each collection the rows come from (see `resolveCollectionContexts`). */
  collections: ReadonlyMap<string, CollectionContext>
  defaultLevel?: AnonymizationLevel
}

/** An object on its way out: its serialized form, and its id as the recipient sees it. */
export interface ReleasedObject {
  row: SharedRow
  /** Id after anonymization (SCO ids may be recomputed from anonymized values). */
  id: string
  /** The object as JSON text, ready for the serializer. */
  json: string
  /** The parsed object, when anonymization parsed it anyway. */
  object?: StixObject
}

/**
 * Sharing policy then anonymization for one row. The reader's own organization gets the stored text as is
 * (no parse, no rewrite); others get what the strategy returns at their level, or nothing.
 */
export function releaseRow(row: SharedRow, ctx: EgressContext): ReleasedObject | null {
  const collection = ctx.collections.get(row.collection_id)
  if (!collection) return null
  const decision = decideRelease({
    tlp: row.tlp as Tlp | null,
    producerOrgId: collection.ownerOrgId,
    readerOrgId: ctx.readerOrgId,
    trustLevel: collection.trustLevel,
    defaultLevel: ctx.defaultLevel,
  })
  if (!decision.release) return null
  if (decision.own) return { row, id: row.stix_id, json: row.doc }
  const object = ctx.anonymizer.anonymize(JSON.parse(row.doc) as StixObject, {
    level: decision.level,
    producerOrgId: collection.ownerOrgId,
    recipientOrgId: ctx.readerOrgId,
  })
  if (!object) return null
  return { row, id: object.id, json: JSON.stringify(object), object }
}

/** Releases a page of rows, dropping those the policy or the strategy withholds. */
export function releaseRows(rows: readonly SharedRow[], ctx: EgressContext): ReleasedObject[] {
  const out: ReleasedObject[] = []
  for (const row of rows) {
    const released = releaseRow(row, ctx)
    if (released) out.push(released)
  }
  return out
}
