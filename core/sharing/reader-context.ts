import type { Knex } from 'knex'
import type { AnonymizationLevel } from '../plugin-api/index.js'
import { visibleCollectionSql } from '../collections/access-rules.js'
import { relationOf, resolveAnonymizationLevel, type Relation } from './release-policy.js'

/** How one visible collection relates to the reader: resolved once per page, not per object. */
export interface CollectionContext {
  ownerOrgId: string
  /** How the owner relates to the reader (the reader's own organization, trusted towards it, or not). */
  relation: Relation
  /**
   * The level the collection's objects are released at for the reader (`none` for its own), resolved once
   * from the release rule: the same value names the stored-output variant and is handed to the strategy.
   */
  anonymizationLevel: AnonymizationLevel
}

/**
 * The collections the reader may see (optionally only `ids`), each with its owner and the owner's trust in
 * the reader: one query, so the page query itself needs no joins beyond the membership and the version.
 */
export async function resolveCollectionContexts(
  knex: Knex,
  readerOrgId: string,
  ids?: string[],
): Promise<Map<string, CollectionContext>> {
  return toCollectionContexts(await collectionContextsQuery(knex, readerOrgId, ids), readerOrgId)
}

export interface CollectionContextRow {
  id: string
  organization_id: string
  anonymization_level: AnonymizationLevel | null
}

/** The query behind `resolveCollectionContexts`, for callers that run it on a connection of their own. */
export function collectionContextsQuery(knex: Knex, readerOrgId: string, ids?: string[]): Knex.QueryBuilder {
  const q = knex('collections as c')
    .leftJoin('trust_relationships as tr', (j) =>
      j.on('tr.trustor_org_id', 'c.organization_id').andOn('tr.trustee_org_id', knex.raw('?::uuid', [readerOrgId])),
    )
    .leftJoin('trust_levels as tl', 'tl.id', 'tr.trust_level_id')
    .whereRaw(visibleCollectionSql('c'), { reader: readerOrgId })
    .select('c.id', 'c.organization_id', 'tl.anonymization_level')
  if (ids) q.whereIn('c.id', ids)
  return q
}

export function toCollectionContexts(
  rows: readonly CollectionContextRow[],
  readerOrgId: string,
): Map<string, CollectionContext> {
  return new Map(
    rows.map((r) => {
      const relation = relationOf({
        ownerOrgId: r.organization_id,
        readerOrgId,
        trustRelationshipLevel: r.anonymization_level,
      })
      return [
        r.id,
        {
          ownerOrgId: r.organization_id,
          relation,
          anonymizationLevel: resolveAnonymizationLevel(relation, r.anonymization_level),
        },
      ]
    }),
  )
}
