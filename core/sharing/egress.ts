import type { AnonymizationStrategy, StixObject } from '../plugin-api/index.js'
import { decideRelease } from './release-policy.js'
import { parseStixText } from '../stix/stix-text.js'
import type { SharedRow } from './shared-rows.js'
import type { AnonymizedEntry } from './anonymized-store.js'
import type { CollectionContext } from './reader-context.js'
import type { PlatformMetrics } from '../infra/metrics.js'

export interface EgressContext {
  anonymizer: AnonymizationStrategy
  readerOrgId: string
  /** Owner, relation and level of each collection the rows come from (see `resolveCollectionContexts`). */
  collections: ReadonlyMap<string, CollectionContext>
  /**
   * The caller only sends each object's JSON text (TAXII): it is written as the object is released and the
   * object itself is not kept, so a page holds strings rather than a thousand object trees until it is sent.
   */
  textOnly?: boolean
  /** Output variant key per collection (see anonymized-store.ts); absent = the output is not stored. */
  variants?: ReadonlyMap<string, string>
  /** When present, outputs computed for a variant are collected here, to be stored behind the response. */
  computed?: AnonymizedEntry[]
  /** Counts each object released to another organization, by level (absent: not counted). */
  metrics?: Pick<PlatformMetrics, 'objectAnonymized'>
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
    tlp: row.tlp,
    relation: collection.relation,
    anonymizationLevel: collection.anonymizationLevel,
  })
  if (!decision.release) return null
  if (decision.own) return { row, id: row.stix_id, json: storedText(row) }
  ctx.metrics?.objectAnonymized(decision.level)
  // A stored output always has its anonymized id (a NOT NULL column); without its text it is withheld.
  if (row.cached)
    return row.anon_doc == null || row.anon_id == null ? null : { row, id: row.anon_id, json: row.anon_doc }
  const object = ctx.anonymizer.anonymize(parseStixText(storedText(row)), {
    level: decision.level,
    producerOrgId: collection.ownerOrgId,
    recipientOrgId: ctx.readerOrgId,
  })
  const variant = ctx.computed && ctx.variants?.get(row.collection_id)
  if (!object) {
    if (variant) ctx.computed?.push({ objectPk: row.object_pk, variant, anonymizedId: row.stix_id, document: null })
    return null
  }
  if (!ctx.textOnly && !variant) return new AnonymizedObject(row, object)
  const json = JSON.stringify(object)
  if (variant) ctx.computed?.push({ objectPk: row.object_pk, variant, anonymizedId: object.id, document: json })
  return { row, id: object.id, json, object: ctx.textOnly ? undefined : object }
}

function storedText(row: SharedRow): string {
  // The query leaves the text out only for rows whose stored output it joined (`cached`).
  if (row.doc === null) throw new Error(`egress: version ${row.object_pk} came without its document`)
  return row.doc
}
