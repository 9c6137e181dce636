import type { AnonymizationLevel, AnonymizationStrategy, StixObject } from '../plugin-api/index.js'
import type { Tlp } from '../stix/tlp.js'
import { decideRelease } from './release-policy.js'
import type { SharedRow } from './shared-rows.js'
import type { CollectionContext } from './reader-context.js'

export interface EgressContext {
  anonymizer: AnonymizationStrategy
  readerOrgId: string
  /** Owner and trust of each collection the rows come from (see `resolveCollectionContexts`). */
  collections: ReadonlyMap<string, CollectionContext>
  defaultLevel?: AnonymizationLevel
  /**
   * The caller only sends each object's JSON text (TAXII): it is written as the object is released and the
   * object itself is not kept, so a page holds strings rather than a thousand object trees until it is sent.
   */
  textOnly?: boolean
}

/** An object on its way out: its serialized form, and its id as the recipient sees it. */
export interface ReleasedObject {
  readonly row: SharedRow
  /** Id after anonymization (SCO ids may be recomputed from anonymized values). */
  readonly id: string
  /** The object as JSON text, ready for the serializer. */
  readonly json: string
  /** The parsed object, when anonymization parsed it anyway. */
  readonly object?: StixObject
}

/**
 * An anonymized object whose JSON text is written only when someone asks for it: TAXII sends the text,
 * exporters take the object and serialize it their own way, so stringifying up front was wasted for them.
 */
class AnonymizedObject implements ReleasedObject {
  readonly id: string
  #json: string | undefined
  constructor(
    readonly row: SharedRow,
    readonly object: StixObject,
  ) {
    this.id = object.id
  }
  get json(): string {
    return (this.#json ??= JSON.stringify(this.object))
  }
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
  if (ctx.textOnly) return { row, id: object.id, json: JSON.stringify(object) }
  return new AnonymizedObject(row, object)
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
